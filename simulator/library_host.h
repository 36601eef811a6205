// LibraryHost: the simulated image-library machine. One Library (the
// committed state, owned by the run) behind the FTP server core (port 21,
// one FtpServerSession per control connection) and the API core (port 443,
// HTTP/1.1 over modelled TLS). Before any event reaches a core the host runs
// the library's jobs due by then. crash() kills every session at once with
// no clean-up (what an upload wrote stays in incoming/, as vsftpd leaves
// it); restart() listens again. The ApiService (its token store) is kept
// across a crash, as a real service keeps issued tokens in its database.
// Single-threaded.
#pragma once

#include <map>
#include <memory>

#include "reference/api/api_service.h"
#include "reference/ftp/ftp_server_session.h"
#include "reference/library/library.h"
#include "simulator/host.h"
#include "simulator/modelled_tls.h"

namespace imagelib::sim {

class FtpServerConnection;
class ApiServerConnection;

inline constexpr int kFtpPort = 21;
inline constexpr int kApiPort = 443;
inline const HostId kLibraryHostName = "library";

class LibraryHost {
 public:
  LibraryHost(EventLoop& loop, Network& network, Library& library, ApiService& api,
              FtpServerOptions ftp_options = {});
  ~LibraryHost();
  LibraryHost(const LibraryHost&) = delete;
  LibraryHost& operator=(const LibraryHost&) = delete;

  // Starts listening on the FTP and API ports.
  void start();
  void crash();
  void restart();
  bool is_up() const { return up_; }

  Host& host() { return host_; }
  EventLoop& loop() { return loop_; }
  Library& library() { return library_; }
  ApiService& api() { return api_; }
  TlsSessionCache& tls_cache() { return tls_cache_; }
  const FtpServerOptions& ftp_options() const { return ftp_options_; }
  // Ends the library's jobs due by now: called before any core sees an event.
  void run_jobs() { library_.run_jobs_until(loop_.wall_now()); }
  int allocate_passive_port() { return next_passive_port_++; }

  // The live FTP session of a control connection (nullptr once it is gone):
  // deferred events look their session up here, so none outlives a crash.
  FtpServerConnection* find_ftp(ConnectionId control);
  // The connection is finished: it is destroyed by a later event.
  void release_ftp(ConnectionId control);
  void release_api(ConnectionId id);

  std::size_t live_ftp_sessions() const { return ftp_sessions_.size(); }
  std::uint64_t crashes() const { return crashes_; }

 private:
  EventLoop& loop_;
  Library& library_;
  ApiService& api_;
  FtpServerOptions ftp_options_;
  Host host_;
  TlsSessionCache tls_cache_;
  std::map<ConnectionId, std::unique_ptr<FtpServerConnection>> ftp_sessions_;
  std::map<ConnectionId, std::unique_ptr<ApiServerConnection>> api_connections_;
  int next_passive_port_ = 30000;
  bool up_ = false;
  std::uint64_t crashes_ = 0;
};

}  // namespace imagelib::sim
