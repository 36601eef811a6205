// `imagelib serve`: the reference as a real deployment — the JSON API over
// HTTPS (Beast) and the explicit-FTPS server (Asio + OpenSSL) on loopback or
// any address, sharing one Library. Registered by imagelib_main.cc with
// add_serve_command() (the convention of tools/command.h); everything else
// about the command lives here.
#pragma once

#include <CLI/CLI.hpp>

namespace imagelib::cli {

// Adds the `serve` subcommand; it runs the server when chosen (until SIGINT
// or SIGTERM). A server that cannot start prints `ERROR: why` and sets
// `exit_code` to 1.
void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace imagelib::cli
