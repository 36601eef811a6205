#include "simulator/modelled_tls.h"

namespace imagelib::sim {
namespace {

constexpr char kRecordMark = '\x16';  // the TLS handshake content type
constexpr std::size_t kMaxHandshakeLine = 256;

}  // namespace

void ModelledTls::send_line(const std::string& line, Output& out) {
  out.to_send.push_back(static_cast<std::uint8_t>(kRecordMark));
  out.to_send.insert(out.to_send.end(), line.begin(), line.end());
  out.to_send.push_back('\n');
}

ModelledTls::Output ModelledTls::start_client(std::optional<std::string> resume) {
  Output out;
  state_ = State::kHandshaking;
  send_line("CH " + (resume ? *resume : std::string("-")), out);
  return out;
}

void ModelledTls::start_server(TlsSessionCache& cache) {
  cache_ = &cache;
  state_ = State::kHandshaking;
}

ModelledTls::Output ModelledTls::on_bytes(ByteView bytes) {
  Output out;
  std::size_t i = 0;
  while (i < bytes.size() && state_ == State::kHandshaking) {
    const char c = static_cast<char>(bytes[i++]);
    if (c != '\n') {
      partial_.push_back(c);
      if (partial_.size() > kMaxHandshakeLine) {
        state_ = State::kFailed;
        out.failed_now = true;
      }
      continue;
    }
    std::string line;
    line.swap(partial_);
    on_line(line, out);
  }
  if (state_ == State::kPlain || state_ == State::kEstablished) {
    out.application.insert(out.application.end(), bytes.begin() + static_cast<std::ptrdiff_t>(i),
                           bytes.end());
  }
  return out;
}

void ModelledTls::on_line(const std::string& line, Output& out) {
  auto fail = [&] {
    state_ = State::kFailed;
    out.failed_now = true;
  };
  if (line.empty() || line[0] != kRecordMark) return fail();
  const std::string message = line.substr(1);
  auto establish = [&](std::string id) {
    session_id_ = std::move(id);
    state_ = State::kEstablished;
    out.established_now = true;
  };
  if (role_ == Role::kServer) {
    if (message.rfind("CH ", 0) == 0) {
      const std::string offer = message.substr(3);
      if (offer != "-" && cache_->knows(offer)) {
        resumed_from_ = offer;
        send_line("SH resumed " + offer, out);
        return establish(offer);
      }
      session_id_ = cache_->issue();
      send_line("SH new " + session_id_, out);
      return;
    }
    if (message == "KX" && !session_id_.empty()) {
      send_line("SF", out);
      return establish(session_id_);
    }
    return fail();
  }
  if (message.rfind("SH resumed ", 0) == 0) return establish(message.substr(11));
  if (message.rfind("SH new ", 0) == 0) {
    session_id_ = message.substr(7);
    send_line("KX", out);
    return;
  }
  if (message == "SF" && !session_id_.empty()) return establish(session_id_);
  return fail();
}

}  // namespace imagelib::sim
