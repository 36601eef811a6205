#include "simulator/library_host.h"

#include "simulator/api_server_connection.h"
#include "simulator/ftp_server_connection.h"

namespace imagelib::sim {

LibraryHost::LibraryHost(EventLoop& loop, Network& network, Library& library, ApiService& api,
                         FtpServerOptions ftp_options)
    : loop_(loop),
      library_(library),
      api_(api),
      ftp_options_(std::move(ftp_options)),
      host_(loop, network, kLibraryHostName) {}

LibraryHost::~LibraryHost() = default;

void LibraryHost::start() {
  up_ = true;
  host_.listen(kFtpPort, [this](ConnectionId id) {
    auto connection = std::make_unique<FtpServerConnection>(*this, id);
    FtpServerConnection& started = *connection;
    ftp_sessions_[id] = std::move(connection);
    started.start();
  });
  host_.listen(kApiPort, [this](ConnectionId id) {
    api_connections_[id] = std::make_unique<ApiServerConnection>(*this, id);
  });
}

void LibraryHost::crash() {
  if (!up_) return;
  up_ = false;
  ++crashes_;
  loop_.note("library host crashed: " + std::to_string(ftp_sessions_.size()) + " FTP and " +
             std::to_string(api_connections_.size()) + " API connections lost");
  host_.network().crash(host_.name());
  host_.forget_everything();
  ftp_sessions_.clear();
  api_connections_.clear();
  tls_cache_.clear();
}

void LibraryHost::restart() {
  if (up_) return;
  host_.network().restart(host_.name());
  loop_.note("library host restarted");
  start();
}

FtpServerConnection* LibraryHost::find_ftp(ConnectionId control) {
  auto it = ftp_sessions_.find(control);
  return it == ftp_sessions_.end() ? nullptr : it->second.get();
}

void LibraryHost::release_ftp(ConnectionId control) {
  loop_.schedule_after(0, "ftp session c" + std::to_string(control) + " ends", [this, control] {
    ftp_sessions_.erase(control);
  });
}

void LibraryHost::release_api(ConnectionId id) {
  loop_.schedule_after(0, "api connection c" + std::to_string(id) + " ends", [this, id] {
    api_connections_.erase(id);
  });
}

}  // namespace imagelib::sim
