// ServeFixture: starts `imagelib serve` on 127.0.0.1 (ports 0, its own
// temporary folder for the data directory, the accounts file and the TLS
// certificate), reads the ports and client credentials it prints, and
// writes a remote config for it, so that `make_target(fixture.target_spec())`
// reaches it over FTPS and HTTPS. The server is stopped by its pid
// (SIGTERM) when the fixture ends, and the folder removed.
// Callers: tests (the remote target's suite run, the mutation tests).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "conformance/target.h"
#include "reference/base/status.h"

namespace imagelib::conformance {

struct ServeFixtureOptions {
  std::string binary;                   // the imagelib executable
  std::vector<std::string> extra_args;  // appended to `imagelib serve ...`
  // --job-seconds: registrations end quickly, yet late enough that a
  // scenario sees an image "creating" a few requests after registering it.
  double job_seconds = 0.4;
  double token_seconds = 3;             // --token-seconds: an expired token is a short wait
  std::vector<OfficialImageCall> official_images;  // provisioned at start
  // The config's dedicated_accounts: false when a test puts in the accounts
  // what is not the run's.
  bool dedicated_accounts = true;
  // Declared in the config; "official_images" is added when there are some.
  std::set<std::string> features = {"api",     "ftp",        "servers", "snapshots",
                                    "extensions", "ftp_mlsd", "quota"};
};

class ServeFixture {
 public:
  static Result<std::unique_ptr<ServeFixture>> start(const ServeFixtureOptions& options);
  ~ServeFixture();
  ServeFixture(const ServeFixture&) = delete;
  ServeFixture& operator=(const ServeFixture&) = delete;

  const std::string& config_path() const { return config_path_; }
  std::string target_spec() const { return "remote:" + config_path_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& folder() const { return folder_; }
  // What serve wrote on stderr so far (for failure messages).
  std::string log() const;
  // SIGTERM, then waits for the process (SIGKILL after 20 s); idempotent.
  Status stop();

 private:
  ServeFixture() = default;
  Status launch(const ServeFixtureOptions& options);
  Status write_accounts_file(const ServeFixtureOptions& options);

  std::filesystem::path folder_;
  std::string config_path_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
};

// The official images that the "setup" steps of the scenarios under `root`
// make (once per name and arch), for a deployment that provisions them.
Result<std::vector<OfficialImageCall>> official_images_in_scenarios(const std::filesystem::path& root);

}  // namespace imagelib::conformance
