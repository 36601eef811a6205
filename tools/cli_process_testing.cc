#include "tools/cli_process_testing.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace imagelib::testing {
namespace {

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Reads every fd to its end (EOF, or EIO for a terminal whose child left).
void drain(std::vector<std::pair<int, std::string*>> sources) {
  while (!sources.empty()) {
    std::vector<pollfd> fds;
    for (const auto& source : sources) fds.push_back({source.first, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (std::size_t i = fds.size(); i-- > 0;) {
      if (fds[i].revents == 0) continue;
      char buffer[65536];
      const ssize_t got = ::read(sources[i].first, buffer, sizeof buffer);
      if (got > 0) {
        sources[i].second->append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        sources.erase(sources.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  int out[2];
  int err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    exec_child(argv, env);
  }
  ::close(out[1]);
  ::close(err[1]);
  ProcessResult result;
  drain({{out[0], &result.out}, {err[0], &result.err}});
  ::close(out[0]);
  ::close(err[0]);
  result.exit_code = wait_for(pid);
  return result;
}

ProcessResult run_on_terminal(const std::vector<std::string>& argv,
                              const std::map<std::string, std::string>& env) {
  int master = -1;
  winsize size{};
  size.ws_row = 24;
  size.ws_col = 100;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) throw std::runtime_error("forkpty");
  if (pid == 0) exec_child(argv, env);
  ProcessResult result;
  drain({{master, &result.out}});
  ::close(master);
  result.exit_code = wait_for(pid);
  return result;
}

ServeProcess::ServeProcess(const std::string& binary, std::uint64_t seed) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    ::dup2(out[1], 1);
    exec_child({binary, "serve", "--listen", "127.0.0.1", "--api-port", "0", "--ftp-port", "0", "--seed",
                std::to_string(seed)},
               {});
  }
  ::close(out[1]);
  stdout_fd_ = out[0];
  // The server prints its ports and clients at once, then serves.
  static const std::regex kApi(R"(listening api (https?) ([0-9.]+) (\d+))");
  static const std::regex kFtp(R"(listening ftp ftps ([0-9.]+) (\d+))");
  static const std::regex kClient(R"(client (cli-\w+) secret (\S+) account (acc-\w+))");
  std::string text;
  while (client_id_.empty()) {
    pollfd fd{stdout_fd_, POLLIN, 0};
    if (::poll(&fd, 1, 60000) <= 0) break;
    char buffer[4096];
    const ssize_t got = ::read(stdout_fd_, buffer, sizeof buffer);
    if (got <= 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
    std::smatch match;
    if (api_url_.empty() && std::regex_search(text, match, kApi)) {
      api_url_ = match[1].str() + "://" + match[2].str() + ":" + match[3].str();
    }
    if (ftp_url_.empty() && std::regex_search(text, match, kFtp)) {
      ftp_url_ = "ftps://" + match[1].str() + ":" + match[2].str();
    }
    if (std::regex_search(text, match, kClient)) {
      client_id_ = match[1];
      client_secret_ = match[2];
      account_ = match[3];
    }
  }
  if (client_id_.empty() || api_url_.empty() || ftp_url_.empty()) {
    throw std::runtime_error("imagelib serve did not start: " + text);
  }
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    wait_for(pid_);
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

std::uint16_t closed_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace imagelib::testing
