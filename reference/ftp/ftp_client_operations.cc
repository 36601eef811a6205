// FtpClientSession: the command steps of each operation and its data
// connection. Transfers: TYPE, [SIZE], EPSV (PASV once EPSV is refused),
// connect, [REST], the data command; the outcome comes when both the final
// reply and the end of the data connection arrived, in either order.
#include "reference/ftp/ftp_client_state.h"

namespace imagelib {

using State = FtpClientSession::State;
using Step = FtpClientRun::Step;

namespace {

bool is_transfer(const FtpClientOperation& operation) {
  return std::holds_alternative<FtpListOperation>(operation) ||
         std::holds_alternative<FtpUploadOperation>(operation) ||
         std::holds_alternative<FtpDownloadOperation>(operation);
}

std::string with_argument(std::string_view verb, const std::string& argument) {
  std::string line(verb);
  if (!argument.empty()) line += " " + argument;
  return line;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
  if (text.size() <= 4) return std::nullopt;
  std::uint64_t size = 0;
  for (const char c : text.substr(4)) {
    if (c < '0' || c > '9' || size > (UINT64_MAX - 9) / 10) return std::nullopt;
    size = size * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return size;
}

}  // namespace

void State::begin(FtpClientRun run) {
  running = std::move(run);
  FtpClientOperation& operation = running->operation;
  if (auto* upload = std::get_if<FtpUploadOperation>(&operation); upload && !upload->content) {
    return finish(false, 0, "The upload has no content.");
  }
  if (is_transfer(operation)) {
    running->step = Step::kType;
    send(std::holds_alternative<FtpListOperation>(operation) ? "TYPE A" : "TYPE I");
    return;
  }
  running->step = Step::kCommand;
  if (auto* remove = std::get_if<FtpDeleteOperation>(&operation)) {
    send("DELE " + remove->path);
  } else if (auto* rename = std::get_if<FtpRenameOperation>(&operation)) {
    send("RNFR " + rename->from);
  } else if (auto* size = std::get_if<FtpSizeOperation>(&operation)) {
    send("SIZE " + size->path);
  } else {
    send(std::get<FtpRawCommand>(operation).line);
  }
}

void State::on_operation_reply(const FtpReply& reply) {
  FtpClientRun& run = *running;
  const auto failed = [&] { finish(false, reply.code, reply.text()); };
  switch (run.step) {
    case Step::kCommand:
      if (auto* rename = std::get_if<FtpRenameOperation>(&run.operation)) {
        if (reply.code != 350) return failed();
        run.step = Step::kRenameTo;
        send("RNTO " + rename->to);
        return;
      }
      if (std::holds_alternative<FtpSizeOperation>(run.operation)) {
        const auto size = reply.code == 213 ? parse_size(reply.lines.back()) : std::nullopt;
        if (!size) return failed();
        run.outcome.size = *size;
      }
      if (reply.is_preliminary()) return;  // a raw command's 1xx: its final reply follows
      return finish(reply.is_success(), reply.code, reply.text());
    case Step::kRenameTo:
      return finish(reply.code == 250, reply.code, reply.text());
    case Step::kType: {
      if (reply.code != 200) return failed();
      const auto* upload = std::get_if<FtpUploadOperation>(&run.operation);
      if (upload && upload->mode != FtpUploadMode::kReplace) {
        run.step = Step::kSize;
        send("SIZE " + upload->path);
        return;
      }
      return send_passive();
    }
    case Step::kSize: {
      // A file that is not there yet resumes from 0.
      const auto size = reply.code == 213 ? parse_size(reply.lines.back()) : std::nullopt;
      const auto& upload = std::get<FtpUploadOperation>(run.operation);
      run.resume_from = size && *size <= upload.content->size() ? *size : 0;
      run.outcome.size = run.resume_from;
      return send_passive();
    }
    case Step::kPassive:
      return on_passive_reply(reply);
    case Step::kRest:
      if (reply.code != 350) return failed();
      return send_transfer_command();
    case Step::kTransfer:
      if (reply.is_preliminary()) return;
      run.final_reply = reply;
      if (reply.code >= 400) return failed();
      return finish_transfer_if_done();
  }
}

void State::send_passive() {
  running->step = Step::kPassive;
  send(use_pasv ? "PASV" : "EPSV");
}

void State::on_passive_reply(const FtpReply& reply) {
  FtpClientRun& run = *running;
  if (!use_pasv && reply.code >= 500) {
    use_pasv = true;
    return send_passive();
  }
  const std::string text = reply.lines.back();
  const auto port = reply.code == 229   ? parse_epsv_port(text)
                    : reply.code == 227 ? parse_pasv_port(text)
                                        : std::nullopt;
  if (!port) return finish(false, reply.code, reply.text());
  run.data = next_data++;
  out.emplace_back(std::in_place_type<FtpConnectData>, FtpConnectData{*run.data, *port});
  std::uint64_t restart = 0;
  if (const auto* download = std::get_if<FtpDownloadOperation>(&run.operation)) {
    restart = download->offset;
  } else if (const auto* upload = std::get_if<FtpUploadOperation>(&run.operation)) {
    if (upload->mode == FtpUploadMode::kResumeWithRest) restart = run.resume_from;
  }
  if (restart > 0) {
    run.step = Step::kRest;
    send("REST " + std::to_string(restart));
    return;
  }
  send_transfer_command();
}

void State::send_transfer_command() {
  FtpClientRun& run = *running;
  run.step = Step::kTransfer;
  if (const auto* list = std::get_if<FtpListOperation>(&run.operation)) {
    const std::string_view verb = list->kind == FtpListingKind::kList   ? "LIST"
                                  : list->kind == FtpListingKind::kNlst ? "NLST"
                                                                        : "MLSD";
    send(with_argument(verb, list->path));
  } else if (const auto* download = std::get_if<FtpDownloadOperation>(&run.operation)) {
    send("RETR " + download->path);
  } else {
    const auto& upload = std::get<FtpUploadOperation>(run.operation);
    switch (upload.mode) {
      case FtpUploadMode::kReplace:
        run.upload_offset = 0;
        send("STOR " + upload.path);
        break;
      case FtpUploadMode::kResumeWithRest:
        run.upload_offset = run.resume_from;
        send("STOR " + upload.path);
        break;
      case FtpUploadMode::kResumeWithAppe:
        run.upload_offset = run.resume_from;
        send("APPE " + upload.path);
        break;
    }
  }
}

void State::send_next_upload_chunk() {
  FtpClientRun& run = *running;
  const auto& content = *std::get<FtpUploadOperation>(run.operation).content;
  if (run.upload_offset >= content.size()) {
    out.emplace_back(std::in_place_type<FtpClientCloseData>, FtpClientCloseData{*run.data, true});
    run.data_ended = true;
    return finish_transfer_if_done();
  }
  Bytes chunk(std::min<std::uint64_t>(options.upload_chunk_bytes, content.size() - run.upload_offset));
  const Status read = content.read_at(run.upload_offset, chunk);
  if (!read.ok()) {
    out.emplace_back(std::in_place_type<FtpClientCloseData>, FtpClientCloseData{*run.data, false});
    run.data_ended = true;
    return finish(false, 0, "Reading the upload's content failed: " + read.to_string());
  }
  run.upload_offset += chunk.size();
  out.emplace_back(std::in_place_type<FtpClientSendData>, FtpClientSendData{*run.data, std::move(chunk)});
}

void State::finish(bool ok, int code, std::string text) {
  FtpClientRun& run = *running;
  if (!ok && run.data && !run.data_ended) {
    out.emplace_back(std::in_place_type<FtpClientCloseData>, FtpClientCloseData{*run.data, false});
  }
  FtpClientOutcome outcome = std::move(run.outcome);
  outcome.ok = ok;
  outcome.reply_code = code;
  outcome.reply_text = std::move(text);
  running.reset();
  report(std::move(outcome));
  start_next();
}

void State::finish_transfer_if_done() {
  FtpClientRun& run = *running;
  if (!run.final_reply || !run.data_ended) return;
  const FtpReply reply = *run.final_reply;
  if (run.data_reset) return finish(false, 0, "The data connection was reset.");
  finish(reply.is_success(), reply.code, reply.text());
}

// --- data connection events ---

FtpClientActions FtpClientSession::on_data_connected(DataConnectionId, Timestamp at) {
  state_->now = at;
  return {};
}

FtpClientActions FtpClientSession::on_data_tls_established(DataConnectionId data, Timestamp at) {
  State& s = *state_;
  if (!s.running || s.running->data != data || s.running->data_ended) return {};
  s.now = at;
  if (std::holds_alternative<FtpUploadOperation>(s.running->operation)) s.send_next_upload_chunk();
  return std::exchange(s.out, {});
}

FtpClientActions FtpClientSession::on_data_bytes(DataConnectionId data, ByteView bytes,
                                                 Timestamp at) {
  State& s = *state_;
  if (!s.running || s.running->data != data || s.running->data_ended ||
      std::holds_alternative<FtpUploadOperation>(s.running->operation)) {
    return {};
  }
  s.now = at;
  Bytes& received = s.running->outcome.data;
  received.insert(received.end(), bytes.begin(), bytes.end());
  return {};
}

FtpClientActions FtpClientSession::on_data_writable(DataConnectionId data, Timestamp at) {
  State& s = *state_;
  if (!s.running || s.running->data != data || s.running->data_ended ||
      !std::holds_alternative<FtpUploadOperation>(s.running->operation)) {
    return {};
  }
  s.now = at;
  s.send_next_upload_chunk();
  return std::exchange(s.out, {});
}

FtpClientActions FtpClientSession::on_data_closed(DataConnectionId data, DataCloseReason reason,
                                                  Timestamp at) {
  State& s = *state_;
  if (!s.running || s.running->data != data || s.running->data_ended) return {};
  s.now = at;
  s.running->data_ended = true;
  // An upload's connection ends only when we end it: anything else broke it.
  s.running->data_reset = reason == DataCloseReason::kReset ||
                          std::holds_alternative<FtpUploadOperation>(s.running->operation);
  s.finish_transfer_if_done();
  return std::exchange(s.out, {});
}

}  // namespace imagelib
