// TLS contexts of the real deployment (Boost.Asio over OpenSSL): the server
// context shared by the HTTPS API and the FTPS control and data connections,
// the client context of net/'s clients, and the per-connection settings that
// make FTPS data connections resume their own control session and nothing
// else (notes/ftps.md §5, §8). Callers: net/ and tools/serve_command.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "reference/base/status.h"

namespace imagelib::net {

struct TlsCertificateFiles {
  std::string certificate_chain_file;  // PEM
  std::string private_key_file;        // PEM
};

// TLS 1.2 and 1.3 only; the server keeps a session cache whose entries live
// as long as any control connection may (a long transfer must not make the
// next data connection fail to resume).
Result<boost::asio::ssl::context> make_server_tls_context(const TlsCertificateFiles& files);

// TLS 1.2 and 1.3 only. With `ca_file` the server's certificate is verified
// against it; without, any certificate is accepted (loopback tests with a
// self-signed certificate, as curl -k).
Result<boost::asio::ssl::context> make_client_tls_context(
    const std::optional<std::string>& ca_file);

// How a client trusts a deployment it connects to.
struct ServerTrust {
  std::optional<std::string> ca_file;  // the CAs to trust; none: the system's store
  bool insecure = false;               // accept any certificate (as curl -k)
};

// TLS 1.2 and 1.3 only. Unless `trust.insecure`, the server's certificate
// must chain to the trusted CAs and name `peer_name`, a DNS name or an IP
// address (the host connected to, or the SNI name used instead).
Result<boost::asio::ssl::context> make_verifying_client_tls_context(const ServerTrust& trust,
                                                                    const std::string& peer_name);

// A fresh random session-id context naming one FTPS control connection
// (32 hex characters; OpenSSL allows up to 32 bytes).
std::string new_session_id_context();

// Binds a connection's TLS sessions to `id_context`: a session made under
// another context is never resumed here. Call before the handshake.
void bind_session_id_context(SSL* ssl, std::string_view id_context);

// No TLS 1.3 session tickets on this connection (FTPS data connections: an
// unread ticket makes the uploading client's close a reset, SPEC §4).
void disable_session_tickets(SSL* ssl);

// TLS 1.3: queues a fresh session ticket, sent before the next bytes written
// on `ssl` (FTPS control connections, once a data connection has used one:
// curl and Ruby's net/ftp resume a TLS 1.3 ticket only once). Nothing for
// TLS 1.2, whose sessions resume any number of times.
void send_fresh_session_ticket(SSL* ssl);

// After a server handshake (with a context from make_server_tls_context):
// the id context of the session it resumed; "" when the client offered a
// session this connection did not resume (made under another id context,
// or no longer cached); nullopt when it offered none.
std::optional<std::string> resumed_session_id_context(SSL* ssl);

// The OpenSSL error queue as one line (and clears it), for error messages.
std::string take_openssl_errors();

}  // namespace imagelib::net
