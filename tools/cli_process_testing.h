// Test support for the client commands' end-to-end tests: runs the imagelib
// binary as a child process (with pipes, or on a pseudo-terminal to see what
// a terminal user sees) and keeps an `imagelib serve` running on 127.0.0.1
// with free ports, stopped by pid. For tests only.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace imagelib::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;     // standard output (with a terminal: everything it showed)
  std::string err;     // standard error (empty with a terminal)
};

// Runs `argv` with `env` added to this process's environment; standard input
// is /dev/null.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {});
// The same on a pseudo-terminal (forkpty): standard output and error both
// go to the terminal, whose text lands in `out`.
ProcessResult run_on_terminal(const std::vector<std::string>& argv,
                              const std::map<std::string, std::string>& env = {});

// `imagelib serve --seed SEED` on 127.0.0.1 with free API and FTP ports,
// stopped (SIGTERM, then waited for) on destruction.
class ServeProcess {
 public:
  ServeProcess(const std::string& binary, std::uint64_t seed);
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  const std::string& api_url() const { return api_url_; }
  const std::string& ftp_url() const { return ftp_url_; }
  // The first provisioned client ("main" account).
  const std::string& client_id() const { return client_id_; }
  const std::string& client_secret() const { return client_secret_; }
  const std::string& account() const { return account_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string api_url_;
  std::string ftp_url_;
  std::string client_id_;
  std::string client_secret_;
  std::string account_;
};

// A TCP port on 127.0.0.1 where nothing listens (bound, then closed).
std::uint16_t closed_loopback_port();

}  // namespace imagelib::testing
