// FtpServerSession: passive listeners and data transfers (PASV, EPSV, LIST,
// NLST, MLSD, RETR, STOR, APPE, ABOR during a transfer) and the data
// connection events. A data connection is served only when it comes from the
// control connection's peer address and its TLS session resumed this control
// session's (SPEC §4, decision); downloads are read from the Library one
// chunk per send window, uploads written as they arrive, so what arrived
// before a reset stays in incoming/.
#include <algorithm>

#include "reference/base/error_table.h"
#include "reference/ftp/ftp_reply.h"
#include "reference/ftp/ftp_server_state.h"

namespace imagelib {

using State = FtpServerSession::State;
using DataEnd = FtpTransfer::DataEnd;

namespace {

// "127,0,0,1" from "127.0.0.1"; nullopt for anything but dotted IPv4.
std::optional<std::string> pasv_host(std::string_view address) {
  std::string host;
  int parts = 0;
  for (;;) {
    const std::size_t dot = address.find('.');
    const std::string_view part = address.substr(0, dot);
    const bool digits =
        std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (part.empty() || part.size() > 3 || !digits || std::stoi(std::string(part)) > 255 ||
        ++parts > 4) {
      return std::nullopt;
    }
    if (parts > 1) host += ',';
    host += part;
    if (dot == std::string_view::npos) break;
    address.remove_prefix(dot + 1);
  }
  if (parts != 4) return std::nullopt;
  return host;
}

void append_line(Bytes& bytes, std::string_view line) {
  bytes.insert(bytes.end(), line.begin(), line.end());
  bytes.push_back('\r');
  bytes.push_back('\n');
}

}  // namespace

void State::close_listener() {
  if (listener != Listener::kNone) emit(FtpClosePassiveListener{});
  listener = Listener::kNone;
}

void State::refuse_waiting_data() {
  if (waiting_data) emit(FtpRefuseDataConnection{*waiting_data});
  waiting_data.reset();
}

void State::run_passive(bool extended, const std::string& argument) {
  if (extended) {
    const std::string protocol = ascii_upper(argument);
    if (protocol == "ALL") {
      epsv_all = true;
      reply(200, "EPSV ALL ok.");
      return;
    }
    if (!protocol.empty() && protocol != "1" && protocol != "2") {
      reply(522, "Bad network protocol.");
      return;
    }
  } else if (epsv_all) {
    reply(550, "Permission denied.");
    return;
  }
  refuse_waiting_data();
  close_listener();
  listener = Listener::kOpening;
  listener_extended = extended;
  wait = Wait::kListener;
  emit(FtpOpenPassiveListener{});
}

bool State::check_data_channel() {
  if (listener != Listener::kOpen) {
    reply(425, "Use PORT or PASV first.");
    return false;
  }
  // Mutation kProtCDataAllowed: data commands run whatever the protection level.
  if (!protect_data && library.options().mutation != Mutation::kProtCDataAllowed) {
    fail_data_command(522, "Data connections must be encrypted.");
    return false;
  }
  return true;
}

void State::fail_data_command(int code, std::string_view text) {
  refuse_waiting_data();
  close_listener();
  reply(code, text);
}

Result<Bytes> State::make_listing(const std::string& verb, const std::string& argument) const {
  Bytes listing;
  if (verb == "LIST") {
    for (const std::string& line : list_lines(argument)) append_line(listing, line);
    return listing;
  }
  const std::string_view target = verb == "NLST" ? strip_ls_options(argument) : argument;
  auto path = resolve(target);
  auto entries = path.ok() ? library.ftp_list(*account, *path)
                           : Result<std::vector<FtpEntry>>(path.status());
  if (verb == "NLST") {
    // As vsftpd: names carry the argument's folder; a missing path lists nothing.
    if (!entries.ok()) return listing;
    std::string prefix(target);
    if (!prefix.empty() && path->is_folder() && prefix.back() != '/') prefix += '/';
    for (const FtpEntry& entry : *entries) {
      append_line(listing, path->is_folder() ? prefix + entry.name : std::string(target));
    }
    return listing;
  }
  // MLSD (RFC 3659 §7): a folder's entries only.
  if (!entries.ok()) return entries.status();
  if (!path->is_folder()) return Status(ErrorCode::kBadRequest, "Not a directory.");
  for (const FtpEntry& entry : *entries) {
    append_line(listing, format_mlst_facts(entry, entry_path(*path, entry), mlst_facts) + entry.name);
  }
  return listing;
}

void State::run_data_command(const FtpCommand& command) {
  if (!check_data_channel()) return;
  const std::uint64_t offset = std::exchange(restart_offset, 0);
  const std::string& verb = command.verb;
  FtpTransfer next;
  if (verb == "LIST" || verb == "NLST" || verb == "MLSD") {
    auto listing = make_listing(verb, command.argument);
    if (!listing.ok()) {
      const ErrorInfo& info = error_info(listing.status().code());
      fail_data_command(info.ftp_reply, listing.status().message());
      return;
    }
    next.listing = std::move(listing).value();
    next.preliminary = "Here comes the directory listing.";
    next.complete = "Directory send OK.";
  } else if (verb == "RETR") {
    auto path = resolve(command.argument);
    auto entry = path.ok() ? library.ftp_stat(*account, *path) : Result<FtpEntry>(path.status());
    if (!entry.ok() || entry->is_folder) {
      fail_data_command(550, "Failed to open file.");
      return;
    }
    next.source = FtpTransfer::Source::kFile;
    next.path = *path;
    next.offset = offset;
    next.preliminary = std::string("Opening ") + (binary ? "BINARY" : "ASCII") +
                       " mode data connection for " + command.argument + " (" +
                       std::to_string(entry->size) + " bytes).";
    next.complete = "Transfer complete.";
  } else {  // STOR, APPE
    auto path = resolve(command.argument);
    if (!path.ok()) {
      fail_data_command(553, "Could not create file.");
      return;
    }
    WriteMode mode = WriteMode::kReplace;
    if (verb == "APPE") mode = WriteMode::kAppend;
    if (verb == "STOR" && offset > 0) mode = WriteMode::kResume;
    auto start = library.ftp_open_for_write(*account, *path, mode, offset, now);
    if (!start.ok()) {
      const ErrorInfo& info = error_info(start.status().code());
      fail_data_command(info.ftp_reply, start.status().message());
      return;
    }
    next.upload = true;
    next.source = FtpTransfer::Source::kFile;
    next.path = *path;
    next.offset = *start;
    next.preliminary = "Ok to send data.";
    next.complete = "Transfer complete.";
  }
  start_transfer(std::move(next));
}

void State::start_transfer(FtpTransfer next) {
  transfer = std::move(next);
  wait = Wait::kTransfer;
  transfer_deadline = now + options.data_connection_timeout;
  emit(FtpWakeAt{transfer_deadline});
  if (waiting_data) use_data_connection(*std::exchange(waiting_data, std::nullopt));
}

void State::use_data_connection(DataConnectionId data) {
  transfer->data = data;
  transfer->phase = FtpTransfer::Phase::kAwaitingTls;
  close_listener();
  reply(150, transfer->preliminary);
  emit(FtpStartDataTls{data});
}

void State::send_next_chunk() {
  const std::uint64_t chunk = options.download_chunk_bytes;
  Bytes bytes;
  if (transfer->source == FtpTransfer::Source::kListing) {
    const std::uint64_t size = transfer->listing.size();
    const std::uint64_t begin = std::min(transfer->offset, size);
    const std::uint64_t end = std::min(size, begin + chunk);
    bytes.assign(transfer->listing.begin() + static_cast<std::ptrdiff_t>(begin),
                 transfer->listing.begin() + static_cast<std::ptrdiff_t>(end));
  } else {
    auto read = library.ftp_read(*account, transfer->path, transfer->offset, chunk);
    if (!read.ok()) {
      end_transfer(451, "Failure reading local file.", DataEnd::kAbort);
      return;
    }
    bytes = std::move(read).value();
  }
  if (bytes.empty()) {
    end_transfer(226, transfer->complete, DataEnd::kGraceful);
    return;
  }
  transfer->offset += bytes.size();
  emit(FtpSendData{*transfer->data, std::move(bytes)});
}

void State::end_transfer(int code, std::string_view text, DataEnd data_end) {
  if (transfer->data && data_end != DataEnd::kAlreadyClosed) {
    emit(FtpCloseData{*transfer->data, data_end == DataEnd::kGraceful});
  }
  refuse_waiting_data();
  close_listener();
  reply(code, text);  // before the reset: `text` may be the transfer's own
  transfer.reset();
  wait = Wait::kNone;
}

void State::abort_transfer() {
  if (transfer->phase == FtpTransfer::Phase::kAwaitingConnection) {
    end_transfer(425, "Failed to establish connection.", DataEnd::kAbort);
  } else {
    end_transfer(426,
                 transfer->upload ? "Failure reading network stream."
                                  : "Failure writing network stream.",
                 DataEnd::kAbort);
  }
  reply(226, "ABOR successful.");
}

bool State::take_pending_abort() {
  auto abort = std::find_if(pending.begin(), pending.end(), [](const FtpLine& line) {
    return !line.too_long && parse_ftp_command(line.text).verb == "ABOR";
  });
  if (abort == pending.end()) return false;
  pending.erase(abort);
  abort_transfer();
  return true;
}

// --- events of listeners and data connections ---

FtpServerActions FtpServerSession::on_passive_listener_opened(std::uint16_t port,
                                                              std::string ipv4_address,
                                                              Timestamp at) {
  State& s = *state_;
  if (s.closed || s.wait != State::Wait::kListener) return {};
  s.now = at;
  s.wait = State::Wait::kNone;
  s.listener = State::Listener::kOpen;
  if (s.listener_extended) {
    s.reply(229, "Entering Extended Passive Mode (|||" + std::to_string(port) + "|)");
  } else if (auto host = pasv_host(ipv4_address)) {
    s.reply(227, "Entering Passive Mode (" + *host + "," + std::to_string(port / 256) + "," +
                     std::to_string(port % 256) + ").");
  } else {
    s.close_listener();
    s.reply(425, "Could not listen for passive connection: not IPv4, use EPSV.");
  }
  s.run_pending_commands();
  return std::exchange(s.out, {});
}

FtpServerActions FtpServerSession::on_passive_listener_failed(Timestamp at) {
  State& s = *state_;
  if (s.closed || s.wait != State::Wait::kListener) return {};
  s.now = at;
  s.wait = State::Wait::kNone;
  s.listener = State::Listener::kNone;
  s.reply(425, "Could not listen for passive connection.");
  s.run_pending_commands();
  return std::exchange(s.out, {});
}

FtpServerActions FtpServerSession::on_data_connection_accepted(DataConnectionId data,
                                                               std::string peer_address,
                                                               Timestamp at) {
  State& s = *state_;
  if (s.closed) return {};
  s.now = at;
  const bool awaited = s.transfer && s.transfer->phase == FtpTransfer::Phase::kAwaitingConnection;
  if (s.listener != State::Listener::kOpen || s.waiting_data || (s.transfer && !awaited)) {
    s.emit(FtpRefuseDataConnection{data});
  } else if (peer_address != s.peer_address) {
    // Another host on this session's port: never served, and the command fails.
    s.emit(FtpRefuseDataConnection{data});
    if (awaited) s.end_transfer(425, "Security: Bad IP connecting.", DataEnd::kAbort);
  } else if (awaited) {
    s.use_data_connection(data);
  } else {
    s.waiting_data = data;
  }
  s.run_pending_commands();
  return std::exchange(s.out, {});
}

FtpServerActions FtpServerSession::on_data_tls_established(DataConnectionId data,
                                                           std::optional<std::string> resumed_from,
                                                           Timestamp at) {
  State& s = *state_;
  if (s.closed || !s.transfer || s.transfer->data != data ||
      s.transfer->phase != FtpTransfer::Phase::kAwaitingTls) {
    return {};
  }
  s.now = at;
  if (!resumed_from) {
    s.end_transfer(522, "SSL connection failed: session reuse required", DataEnd::kAbort);
  } else if (resumed_from != s.tls_session_id) {
    s.end_transfer(425, "Unable to build data connection: Operation not permitted.",
                   DataEnd::kAbort);
  } else {
    s.transfer->phase = FtpTransfer::Phase::kRunning;
    if (!s.transfer->upload) s.send_next_chunk();
  }
  s.run_pending_commands();
  return std::exchange(s.out, {});
}

FtpServerActions FtpServerSession::on_data_bytes(DataConnectionId data, ByteView bytes,
                                                 Timestamp at) {
  State& s = *state_;
  if (s.closed || !s.transfer || s.transfer->data != data || !s.transfer->upload ||
      s.transfer->phase != FtpTransfer::Phase::kRunning) {
    return {};
  }
  s.now = at;
  const Status written = s.library.ftp_write(*s.account, s.transfer->path, s.transfer->offset, bytes, at);
  if (written.ok()) {
    s.transfer->offset += bytes.size();
  } else {
    const ErrorInfo& info = error_info(written.code());
    s.end_transfer(info.ftp_reply, written.message(), DataEnd::kAbort);
    s.run_pending_commands();
  }
  return std::exchange(s.out, {});
}

FtpServerActions FtpServerSession::on_data_writable(DataConnectionId data, Timestamp at) {
  State& s = *state_;
  if (s.closed || !s.transfer || s.transfer->data != data || s.transfer->upload ||
      s.transfer->phase != FtpTransfer::Phase::kRunning) {
    return {};
  }
  s.now = at;
  s.send_next_chunk();
  s.run_pending_commands();
  return std::exchange(s.out, {});
}

FtpServerActions FtpServerSession::on_data_closed(DataConnectionId data, DataCloseReason reason,
                                                  Timestamp at) {
  State& s = *state_;
  if (s.closed) return {};
  s.now = at;
  if (s.waiting_data == data) {
    s.waiting_data.reset();
  } else if (s.transfer && s.transfer->data == data) {
    if (s.transfer->phase == FtpTransfer::Phase::kAwaitingTls) {
      s.end_transfer(425, "Failed to establish connection.", DataEnd::kAlreadyClosed);
    } else if (!s.transfer->upload) {
      s.end_transfer(426, "Failure writing network stream.", DataEnd::kAlreadyClosed);
    } else if (reason == DataCloseReason::kFinished) {
      const Status stored = s.library.ftp_finish_write(*s.account, s.transfer->path);
      if (stored.ok()) {
        s.end_transfer(226, s.transfer->complete, DataEnd::kAlreadyClosed);
      } else {
        s.end_transfer(error_info(stored.code()).ftp_reply, stored.message(), DataEnd::kAlreadyClosed);
      }
    } else {
      s.end_transfer(426, "Failure reading network stream.", DataEnd::kAlreadyClosed);
    }
    s.run_pending_commands();
  }
  return std::exchange(s.out, {});
}

}  // namespace imagelib
