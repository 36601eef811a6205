#include "reference/formats/tool_testing.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

extern char** environ;

namespace imagelib::testing {

Status run_tool(const std::vector<std::string>& argv, const std::string& stdout_path) {
  if (argv.empty()) return Status(ErrorCode::kInternal, "run_tool: no command");
  std::FILE* errors = std::tmpfile();
  if (errors == nullptr) return Status(ErrorCode::kInternal, "run_tool: tmpfile failed");
  int out_fd = -1;
  if (!stdout_path.empty()) {
    out_fd = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_fd < 0) {
      std::fclose(errors);
      return Status(ErrorCode::kInternal, "run_tool: cannot open " + stdout_path);
    }
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fileno(errors), STDERR_FILENO);
  if (out_fd >= 0) posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawn_error = ::posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (out_fd >= 0) ::close(out_fd);
  std::string command;
  for (const std::string& arg : argv) command += (command.empty() ? "" : " ") + arg;
  if (spawn_error != 0) {
    std::fclose(errors);
    return Status(ErrorCode::kInternal, command + ": cannot start: " + std::strerror(spawn_error));
  }
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  std::string text;
  std::rewind(errors);
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, errors)) > 0) text.append(buffer, n);
  std::fclose(errors);
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    return Status(ErrorCode::kInternal, command + " failed: " + text);
  }
  return {};
}

}  // namespace imagelib::testing
