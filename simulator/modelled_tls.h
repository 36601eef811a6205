// ModelledTls: the simulator's stand-in for TLS on one side of one
// connection. No cryptography: the handshake is a few framed lines on the
// simulated byte stream with the round trips of the real thing, and a TLS
// session id, so that FTPS data-channel session reuse (SPEC §4: `522`
// without reuse, `425` when resumed from another control session) is
// exercised. Application bytes pass unchanged once established.
//
//   full:    client "\x16CH -"    -> server "\x16SH new <id>" -> client "\x16KX"
//            -> server "\x16SF"       (two round trips)
//   resumed: client "\x16CH <id>" -> server "\x16SH resumed <id>" (one round trip)
//
// The server resumes only ids in its TlsSessionCache; the cache lives on the
// host and is lost when the host crashes. Real TLS is net/'s job.
// Not thread-safe; owned by a connection driver.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "reference/base/bytes.h"

namespace imagelib::sim {

// The server host's TLS sessions: ids it issued and will resume.
class TlsSessionCache {
 public:
  std::string issue() {
    std::string id = "tls-" + std::to_string(++issued_);
    known_.insert(id);
    return id;
  }
  bool knows(const std::string& id) const { return known_.count(id) != 0; }
  void clear() { known_.clear(); }

 private:
  std::uint64_t issued_ = 0;  // survives clear(): ids are never reused
  std::set<std::string> known_;
};

class ModelledTls {
 public:
  enum class Role { kClient, kServer };
  enum class State { kPlain, kHandshaking, kEstablished, kFailed };

  // What one call produced: bytes to send to the peer, whether the handshake
  // ended with this call, and application bytes that followed it.
  struct Output {
    Bytes to_send;
    bool established_now = false;
    bool failed_now = false;
    Bytes application;
  };

  explicit ModelledTls(Role role) : role_(role) {}

  // Client: begins a handshake offering `resume` (a session id) or a full one.
  Output start_client(std::optional<std::string> resume);
  // Server: begins waiting for the client's hello.
  void start_server(TlsSessionCache& cache);
  // Bytes read from the connection.
  Output on_bytes(ByteView bytes);

  State state() const { return state_; }
  bool handshaking() const { return state_ == State::kHandshaking; }
  // The session's id once established.
  const std::string& session_id() const { return session_id_; }
  // Server side: the id the client resumed, nullopt after a full handshake.
  const std::optional<std::string>& resumed_from() const { return resumed_from_; }

 private:
  void on_line(const std::string& line, Output& out);
  void send_line(const std::string& line, Output& out);

  Role role_;
  State state_ = State::kPlain;
  TlsSessionCache* cache_ = nullptr;
  std::string partial_;
  std::string session_id_;
  std::optional<std::string> resumed_from_;
};

}  // namespace imagelib::sim
