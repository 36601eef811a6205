#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <array>
#include <boost/asio/ip/address.hpp>

namespace imagelib::net {
namespace {

namespace ssl = boost::asio::ssl;

// How long a cached TLS session may be resumed: a day, longer than any
// control connection the server keeps (idle timeouts are minutes).
constexpr long kSessionLifetimeSeconds = 24 * 60 * 60;

Status tls_error(std::string what) {
  return Status(ErrorCode::kBadRequest, what + ": " + take_openssl_errors());
}

// The SSL ex_data slot where note_offered_session() marks a connection
// whose client offered a session to resume.
int offered_session_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// A ClientHello callback: did the client try to resume? TLS 1.3 offers a
// pre_shared_key; TLS 1.2 a session ticket or, without supported_versions
// (a TLS 1.3 client always sends a random legacy session id), a session id.
// OpenSSL declines a session of another id context without telling, so
// this is how a data connection resuming another login's session is told
// apart from one that resumes nothing (SPEC §4: 425, not 522).
int note_offered_session(SSL* ssl, int* /*alert*/, void* /*arg*/) {
  const unsigned char* extension = nullptr;
  std::size_t length = 0;
  bool offered = SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_psk, &extension, &length) == 1 ||
                 (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_session_ticket, &extension, &length) == 1 &&
                  length > 0);
  if (!offered &&
      SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_supported_versions, &extension, &length) != 1) {
    const unsigned char* session_id = nullptr;
    offered = SSL_client_hello_get0_session_id(ssl, &session_id) > 0;
  }
  SSL_set_ex_data(ssl, offered_session_index(), offered ? ssl : nullptr);
  return SSL_CLIENT_HELLO_SUCCESS;
}

void restrict_to_tls12_and_13(SSL_CTX* native) {
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION);
}

}  // namespace

std::string take_openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    if (!text.empty()) text += "; ";
    text += buffer.data();
  }
  return text.empty() ? "unknown TLS error" : text;
}

Result<ssl::context> make_server_tls_context(const TlsCertificateFiles& files) {
  ssl::context context(ssl::context::tls_server);
  SSL_CTX* native = context.native_handle();
  restrict_to_tls12_and_13(native);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(native, files.certificate_chain_file.c_str()) != 1) {
    return tls_error("cannot load the certificate " + files.certificate_chain_file);
  }
  if (SSL_CTX_use_PrivateKey_file(native, files.private_key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return tls_error("cannot load the private key " + files.private_key_file);
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return tls_error("the private key does not match the certificate");
  }
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_timeout(native, kSessionLifetimeSeconds);
  // Connections that do not set their own context (the HTTPS API) share this one.
  static constexpr unsigned char kDefaultContext[] = "imagelib";
  SSL_CTX_set_session_id_context(native, kDefaultContext, sizeof(kDefaultContext) - 1);
  SSL_CTX_set_client_hello_cb(native, note_offered_session, nullptr);
  return context;
}

Result<ssl::context> make_client_tls_context(const std::optional<std::string>& ca_file) {
  ssl::context context(ssl::context::tls_client);
  SSL_CTX* native = context.native_handle();
  restrict_to_tls12_and_13(native);
  if (ca_file) {
    if (SSL_CTX_load_verify_locations(native, ca_file->c_str(), nullptr) != 1) {
      return tls_error("cannot load the CA file " + *ca_file);
    }
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  }
  // Sessions are kept by the clients themselves (per control connection).
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  return context;
}

Result<ssl::context> make_verifying_client_tls_context(const ServerTrust& trust,
                                                       const std::string& peer_name) {
  auto context = make_client_tls_context(trust.ca_file);
  if (!context.ok() || trust.insecure) return context;
  SSL_CTX* native = context->native_handle();
  if (!trust.ca_file && SSL_CTX_set_default_verify_paths(native) != 1) {
    return tls_error("cannot load the system's CA store");
  }
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(native);
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(peer_name, not_an_address);
  const int named = not_an_address ? X509_VERIFY_PARAM_set1_host(param, peer_name.c_str(), 0)
                                   : X509_VERIFY_PARAM_set1_ip_asc(param, peer_name.c_str());
  if (peer_name.empty() || named != 1) {
    return Status(ErrorCode::kBadRequest, "cannot verify a certificate against the name \"" + peer_name + "\"");
  }
  return context;
}

std::string new_session_id_context() {
  std::array<unsigned char, 16> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    // RAND_bytes only fails without an entropy source; a fixed context then
    // still confines resumption to this server, as vsftpd does.
    random.fill(0);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (unsigned char byte : random) {
    text += kHex[byte >> 4];
    text += kHex[byte & 0xF];
  }
  return text;
}

void bind_session_id_context(SSL* ssl, std::string_view id_context) {
  SSL_set_session_id_context(ssl, reinterpret_cast<const unsigned char*>(id_context.data()),
                             static_cast<unsigned int>(id_context.size()));
}

void disable_session_tickets(SSL* ssl) { SSL_set_num_tickets(ssl, 0); }

void send_fresh_session_ticket(SSL* ssl) {
  if (SSL_version(ssl) != TLS1_3_VERSION) return;
  // Fails only before the handshake or under memory pressure; the next data
  // connection then finds no ticket and is refused with 522, as before.
  if (SSL_new_session_ticket(ssl) != 1) ERR_clear_error();
}

std::optional<std::string> resumed_session_id_context(SSL* ssl) {
  if (SSL_session_reused(ssl) != 1) {
    if (SSL_get_ex_data(ssl, offered_session_index()) != nullptr) return std::string();
    return std::nullopt;
  }
  const SSL_SESSION* session = SSL_get_session(ssl);
  if (session == nullptr) return std::nullopt;
  unsigned int length = 0;
  const unsigned char* context = SSL_SESSION_get0_id_context(session, &length);
  return std::string(reinterpret_cast<const char*>(context), length);
}

}  // namespace imagelib::net
