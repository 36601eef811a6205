#include "tools/serve_command.h"

#include "tools/command.h"

#include <openssl/rand.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>

#include "net/accounts_config.h"
#include "net/api_server.h"
#include "net/clock.h"
#include "net/file_blob_store.h"
#include "net/ftps_server.h"
#include "net/journaled_core.h"
#include "net/library_host.h"
#include "net/self_signed.h"
#include "net/tls_context.h"
#include "reference/library/mutation.h"

namespace imagelib::cli {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct ServeOptions {
  std::string listen = "127.0.0.1";
  std::uint16_t ftp_port = 2121;
  std::uint16_t api_port = 0;
  std::string passive_ports;
  std::string tls_cert;
  std::string tls_key;
  std::string data_dir;
  bool repair = false;  // move a bad journal record and what follows it aside
  std::string accounts;
  bool plain_http = false;
  bool allow_data_without_reuse = false;
  std::optional<std::uint64_t> seed;
  double job_seconds = 2;        // how long a registration or snapshot takes
  double token_seconds = 7200;   // how long an API token lives
  // FTP limits, FtpsServerOptions's defaults unless told.
  std::size_t max_ftp_sessions = net::FtpsServerOptions{}.max_sessions;
  std::size_t max_ftp_sessions_per_address = net::FtpsServerOptions{}.max_sessions_per_address;
  std::int64_t ftp_login_seconds = net::FtpsServerOptions{}.login_timeout.count();
  std::int64_t ftp_idle_seconds = net::FtpsServerOptions{}.idle_timeout.count();
  // API limits, ApiServerLimits's defaults unless told.
  std::size_t max_api_connections = net::ApiServerLimits{}.max_connections;
  std::int64_t api_header_seconds = net::ApiServerLimits{}.header_timeout.count();
  std::int64_t api_read_seconds = net::ApiServerLimits{}.read_timeout.count();
  // Failed FTP logins and token requests per address, LoginThrottleLimits's defaults unless told.
  std::uint32_t login_delay_after = net::LoginThrottleLimits{}.delay_after;
  std::uint32_t max_failed_logins = net::LoginThrottleLimits{}.max_failures;
  std::int64_t failed_login_window_seconds = net::LoginThrottleLimits{}.window.count();
  std::string mutant = "none";   // for testing the harness: a rule broken on purpose
};

// A failure to start; add_serve_command reports it.
class ServeFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::pair<std::uint16_t, std::uint16_t> parse_port_range(const std::string& text) {
  if (text.empty()) return {0, 0};
  static const std::regex kRange(R"(^(\d{1,5})-(\d{1,5})$)");
  std::smatch match;
  if (!std::regex_match(text, match, kRange)) throw ServeFailed("--passive-ports must be LO-HI");
  const unsigned long low = std::stoul(match[1]);
  const unsigned long high = std::stoul(match[2]);
  if (low == 0 || low > high || high > 65535) {
    throw ServeFailed("--passive-ports: need 1 <= LO <= HI <= 65535");
  }
  return {static_cast<std::uint16_t>(low), static_cast<std::uint16_t>(high)};
}

std::uint64_t random_seed() {
  std::uint64_t seed = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1) {
    throw ServeFailed("no entropy for the library's seed; pass --seed");
  }
  return seed;
}

// The key of the library's secrets (net/journaled_core.h): from OpenSSL's
// CSPRNG, or none with --seed, whose secrets follow from the seed (tests).
std::optional<SecretGenerator::Key> new_secret_key(const ServeOptions& options) {
  if (options.seed) return std::nullopt;
  SecretGenerator::Key key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
    throw ServeFailed("no entropy for the library's secret key; pass --seed");
  }
  return key;
}

// The certificate to serve: the given files, or a self-signed pair written
// into the data directory (or a temporary directory removed at exit).
net::TlsCertificateFiles certificate_files(const ServeOptions& options,
                                           std::optional<std::filesystem::path>& temporary) {
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (options.tls_cert.empty() || options.tls_key.empty()) {
      throw ServeFailed("--tls-cert and --tls-key go together");
    }
    return {options.tls_cert, options.tls_key};
  }
  std::filesystem::path directory;
  if (!options.data_dir.empty()) {
    directory = std::filesystem::path(options.data_dir) / "tls";
    std::filesystem::create_directories(directory);
    if (std::filesystem::exists(directory / "cert.pem") && std::filesystem::exists(directory / "key.pem")) {
      return {(directory / "cert.pem").string(), (directory / "key.pem").string()};
    }
  } else {
    std::string pattern = (std::filesystem::temp_directory_path() / "imagelib-tls-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw ServeFailed("cannot make a temporary directory");
    directory = pattern;
    temporary = directory;
  }
  auto files = net::write_self_signed_certificate(directory.string());
  if (!files.ok()) throw ServeFailed(files.status().to_string());
  return *files;
}

std::shared_ptr<BlobStore> blob_store(const ServeOptions& options) {
  if (options.data_dir.empty()) return std::make_shared<MemoryBlobStore>();
  const auto directory = std::filesystem::path(options.data_dir) / "blobs";
  std::filesystem::create_directories(directory);
  auto store = net::FileBlobStore::open_store(directory.string());
  if (!store.ok()) throw ServeFailed(store.status().to_string());
  return *store;
}

net::AccountsConfig accounts_config(const ServeOptions& options) {
  if (options.accounts.empty()) return net::default_accounts_config();
  auto config = net::load_accounts_file(options.accounts);
  if (!config.ok()) throw ServeFailed(config.status().to_string());
  return *config;
}

void print_connection_help(std::ostream& out, const std::string& api_url, const std::string& host,
                           std::uint16_t ftp_port,
                           const std::vector<net::ProvisionedClient>& clients) {
  for (const net::ProvisionedClient& client : clients) {
    out << "client " << client.client << " secret " << client.secret << " account "
        << client.account << " (" << client.account_name << ")\n";
  }
  if (clients.empty()) return;
  const net::ProvisionedClient& first = clients.front();
  out << "# token:    curl -k -u " << first.client << ":" << first.secret
      << " -H 'content-type: application/json' -d '{\"grant_type\":\"client_credentials\"}' "
      << api_url << "/token\n"
      << "# ftp login: curl -k -X POST -H \"authorization: Bearer $TOKEN\" " << api_url
      << "/1.0/accounts/" << first.account << "/reset_ftp_password  (library_ftp_password)\n"
      << "# upload:   curl -k --ssl-reqd -u " << first.account << ":PASSWORD -T disk.img ftp://"
      << host << ":" << ftp_port << "/incoming/\n";
}

// The core and what the accounts file gave, rebuilt from the journal of
// --data-dir when there is one.
struct Core {
  std::unique_ptr<net::LibraryHost> host;
  std::vector<net::ProvisionedClient> clients;
};

Duration seconds(double value) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(value));
}

// The Library's options the command line sets; the seed comes per generation.
LibraryOptions library_options_of(const ServeOptions& options) {
  LibraryOptions library_options;
  library_options.job_time = seconds(options.job_seconds);
  library_options.mutation = parse_mutation(options.mutant).value();  // checked by run_serve
  return library_options;
}

net::LibraryHostOptions host_options_of(const ServeOptions& options) {
  net::LibraryHostOptions host;
  host.login_throttle.delay_after = options.login_delay_after;
  host.login_throttle.max_failures = options.max_failed_logins;
  host.login_throttle.window = std::chrono::seconds(options.failed_login_window_seconds);
  return host;
}

Core fresh_core(asio::io_context& io, const ApiOptions& api_options, net::LibraryHostOptions host_options,
                std::uint64_t seed, LibraryOptions library_options, const net::AccountsConfig& config,
                Timestamp at, std::shared_ptr<BlobStore> store) {
  library_options.seed = seed;
  auto library = std::make_unique<Library>(library_options, std::move(store));
  auto clients = net::provision_library(*library, config, at);
  if (!clients.ok()) throw ServeFailed(clients.status().to_string());
  return Core{std::make_unique<net::LibraryHost>(io, std::move(library), api_options, std::move(host_options)),
              *clients};
}

Core open_core(const ServeOptions& options, asio::io_context& io, const ApiOptions& api_options) {
  std::shared_ptr<BlobStore> store = blob_store(options);
  if (options.data_dir.empty()) {
    LibraryOptions library_options = library_options_of(options);
    library_options.secret_key = new_secret_key(options);
    return fresh_core(io, api_options, host_options_of(options), options.seed ? *options.seed : random_seed(),
                      library_options, accounts_config(options), net::wall_clock_now(), store);
  }
  // The journal rebuilds the core and is compacted at start (net/journaled_core.h).
  const std::string path = (std::filesystem::path(options.data_dir) / "journal").string();
  net::CoreSetup setup;
  setup.library = library_options_of(options);
  setup.api = api_options;
  setup.host = host_options_of(options);
  setup.store = store;
  if (!std::filesystem::exists(path)) setup.accounts = accounts_config(options);
  setup.first_seed = options.seed ? *options.seed : random_seed();
  // With --seed every generation's seed follows from it; otherwise each is random.
  setup.next_seed = [fixed = options.seed.has_value()](std::uint64_t previous) {
    return fixed ? Rng(previous).stream("next-generation").next_u64() : random_seed();
  };
  setup.new_secret_key = [options] { return new_secret_key(options); };
  setup.repair = options.repair;
  auto core = net::open_journaled_core(io, path, setup, net::wall_clock_now());
  if (!core.ok()) throw ServeFailed(core.status().to_string());
  for (const std::string& note : core->notes) std::cerr << "imagelib serve: " << note << "\n";
  if (auto files = std::dynamic_pointer_cast<net::FileBlobStore>(store)) files->collect_garbage(core->named_blob_files);
  return Core{std::move(core->host), core->clients};
}

// `--mutant list`: every mutant, for testing the harness.
void print_mutants(std::ostream& out) {
  for (const MutationInfo& info : all_mutations()) {
    out << info.name << "  " << info.description << "\n";
  }
}

// Raises the soft descriptor limit to the hard one (nginx's
// worker_rlimit_nofile), and says so if even that is short of what the
// session limits need: out of descriptors, connections are refused.
void raise_descriptor_limit(const ServeOptions& options) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  // A control connection, a passive listener and a data connection per FTP
  // session, one per API connection, the stored files' bounded cache, and
  // room for the journal, certificates and logs.
  const rlim_t needed =
      3 * options.max_ftp_sessions + options.max_api_connections + net::FileBlobStore::kDefaultOpenFiles + 16;
  if (limit.rlim_cur < needed) {
    std::cerr << "imagelib serve: warning: the descriptor limit (" << limit.rlim_cur
              << ") is below what --max-ftp-sessions and --max-api-connections need (" << needed
              << "); raise it (ulimit -n) or lower them\n";
  }
}

int run_serve(const ServeOptions& options) {
  if (options.mutant == "list") {
    print_mutants(std::cout);
    return 0;
  }
  const std::optional<Mutation> mutation = parse_mutation(options.mutant);
  if (!mutation) {
    throw ServeFailed("--mutant: no mutant \"" + options.mutant + "\" (--mutant list names them)");
  }
  if (*mutation != Mutation::kNone) {
    std::cerr << "WARNING: serving a BROKEN reference for testing the harness: mutant "
              << options.mutant << ", " << description_of(*mutation) << "\n";
  }
  const auto [passive_low, passive_high] = parse_port_range(options.passive_ports);
  boost::system::error_code address_error;
  const auto address = asio::ip::make_address(options.listen, address_error);
  if (address_error) throw ServeFailed("--listen: not an IP address: " + options.listen);
  raise_descriptor_limit(options);
  if (!options.data_dir.empty()) {
    const Status made = net::make_private_directory(options.data_dir);
    if (!made.ok()) throw ServeFailed(made.to_string());
  }

  std::optional<std::filesystem::path> temporary_tls;
  const net::TlsCertificateFiles files = certificate_files(options, temporary_tls);
  auto tls = net::make_server_tls_context(files);
  if (!tls.ok()) throw ServeFailed(tls.status().to_string());

  // Listen first: the API's base URL (in every "url" field) needs its port.
  asio::io_context io(1);
  std::optional<net::ApiServer> api;
  std::optional<net::FtpsServer> ftp;
  try {
    net::ApiServerLimits api_limits;
    api_limits.max_connections = options.max_api_connections;
    api_limits.header_timeout = std::chrono::seconds(options.api_header_seconds);
    api_limits.read_timeout = std::chrono::seconds(options.api_read_seconds);
    api.emplace(io, options.plain_http ? nullptr : &*tls, tcp::endpoint(address, options.api_port),
                api_limits);
    net::FtpsServerOptions ftp_options;
    ftp_options.passive_port_low = passive_low;
    ftp_options.passive_port_high = passive_high;
    ftp_options.require_tls_session_reuse = !options.allow_data_without_reuse;
    ftp_options.max_sessions = options.max_ftp_sessions;
    ftp_options.max_sessions_per_address = options.max_ftp_sessions_per_address;
    ftp_options.login_timeout = std::chrono::seconds(options.ftp_login_seconds);
    ftp_options.idle_timeout = std::chrono::seconds(options.ftp_idle_seconds);
    ftp.emplace(io, *tls, tcp::endpoint(address, options.ftp_port), ftp_options);
  } catch (const boost::system::system_error& error) {
    throw ServeFailed(std::string("cannot listen: ") + error.what());
  }
  const std::string scheme = options.plain_http ? "http" : "https";
  const std::string host_text = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  const std::uint16_t api_port = api->local_endpoint().port();
  const std::uint16_t ftp_port = ftp->local_endpoint().port();
  const std::string api_url = scheme + "://" + host_text + ":" + std::to_string(api_port);
  ApiOptions api_options;
  api_options.api_base = api_url;
  api_options.token_lifetime = seconds(options.token_seconds);

  Core core = open_core(options, io, api_options);
  std::cout << "listening api " << scheme << " " << address.to_string() << " " << api_port << "\n"
            << "listening ftp ftps " << address.to_string() << " " << ftp_port << "\n";
  print_connection_help(std::cout, api_url, host_text, ftp_port, core.clients);
  std::cout << std::flush;

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    api->stop();
    ftp->stop();
    io.stop();
  });
  api->start(*core.host);
  ftp->start(*core.host);
  io.run();
  if (temporary_tls) std::filesystem::remove_all(*temporary_tls);
  return 0;
}

// A limit of serve: a flag from 1 to `max`, its default shown by --help.
template <typename T>
void add_limit(CLI::App* serve, const std::string& name, T& value, const std::string& description, T max) {
  serve->add_option(name, value, description)->check(CLI::Range(T{1}, max))->capture_default_str();
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the reference as a real server: JSON API over HTTPS and explicit FTPS");
  serve->add_option("--listen", options->listen, "Address to listen on")->capture_default_str();
  serve->add_option("--ftp-port", options->ftp_port, "FTPS control port (0 = pick a free one)")
      ->capture_default_str();
  serve->add_option("--api-port", options->api_port, "API port (0 = pick a free one)")
      ->capture_default_str();
  serve->add_option("--passive-ports", options->passive_ports, "Passive data ports LO-HI");
  serve->add_option("--tls-cert", options->tls_cert, "PEM certificate chain (default: self-signed)");
  serve->add_option("--tls-key", options->tls_key, "PEM private key");
  serve->add_option("--data-dir", options->data_dir,
                    "Directory for file-backed storage (default: in memory)");
  serve->add_flag("--repair", options->repair,
                  "With --data-dir: if a journal record is corrupt or cannot be replayed, move it and "
                  "everything after it aside (journal.bad-OFFSET) and start from the records before it");
  serve->add_option("--accounts", options->accounts,
                    "Accounts, API clients and official images (JSON; default: two accounts)");
  serve->add_flag("--plain-http", options->plain_http, "Serve the API over plain HTTP (local use)");
  serve->add_flag("--allow-data-without-tls-reuse", options->allow_data_without_reuse,
                  "Accept FTPS data connections that do not resume the control session");
  serve->add_option("--seed", options->seed,
                    "FOR TESTS: seed of ids and secrets, which then follow from it (default: ids from a random "
                    "seed, secrets from OpenSSL's random generator)");
  serve->add_option("--job-seconds", options->job_seconds,
                    "Real seconds a registration or snapshot takes (tests shorten it)")
      ->check(CLI::Range(0.0, 86400.0))
      ->capture_default_str();
  serve->add_option("--token-seconds", options->token_seconds, "Lifetime of an API token in seconds")
      ->check(CLI::Range(1.0, 31536000.0))
      ->capture_default_str();
  add_limit(serve, "--max-ftp-sessions", options->max_ftp_sessions,
            "FTP control sessions in all; one more is answered 421", std::size_t{100000});
  add_limit(serve, "--max-ftp-sessions-per-address", options->max_ftp_sessions_per_address,
            "FTP control sessions from one client address; one more is answered 421", std::size_t{100000});
  add_limit(serve, "--ftp-login-timeout", options->ftp_login_seconds,
            "Seconds from connect to a successful FTP login, then 421 and close", std::int64_t{86400});
  add_limit(serve, "--ftp-idle-timeout", options->ftp_idle_seconds,
            "Seconds without a whole FTP command line (no transfer running), then 421 and close",
            std::int64_t{86400});
  add_limit(serve, "--login-delay-after", options->login_delay_after,
            "Failed FTP logins and token requests from one address after which each attempt waits, "
            "1 s doubling up to 30 s",
            std::uint32_t{100000});
  add_limit(serve, "--max-failed-logins", options->max_failed_logins,
            "Failed FTP logins and token requests from one address after which it is refused "
            "(FTP 421 at connect, API 429) until --failed-login-window passes quietly",
            std::uint32_t{100000});
  add_limit(serve, "--failed-login-window", options->failed_login_window_seconds,
            "Seconds after its last failure that an address's failures are forgotten", std::int64_t{86400});
  add_limit(serve, "--max-api-connections", options->max_api_connections,
            "API connections at once; one more closes the longest-idle one, or is refused when all are busy",
            std::size_t{100000});
  add_limit(serve, "--api-header-timeout", options->api_header_seconds,
            "Seconds for the TLS handshake and then for each request's headers", std::int64_t{3600});
  add_limit(serve, "--api-read-timeout", options->api_read_seconds,
            "Seconds for a request's body once its headers are in", std::int64_t{3600});
  serve->add_option("--mutant", options->mutant,
                    "FOR TESTING THE HARNESS ONLY: serve a reference with one rule broken on "
                    "purpose (`--mutant list` names them)")
      ->capture_default_str();
  serve->callback([options, &exit_code] {
    try {
      exit_code = run_serve(*options);
    } catch (const ServeFailed& error) {
      exit_code = fail(error.what());
    } catch (const std::filesystem::filesystem_error& error) {
      exit_code = fail(error.what());
    }
  });
}

}  // namespace imagelib::cli
