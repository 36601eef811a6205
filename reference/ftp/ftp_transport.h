// The vocabulary the two FTP cores (FtpServerSession, FtpClientSession) share
// with the environments that drive them (the simulator and net/): data
// connection ids and how a data connection ended. Plain values, no behaviour.
#pragma once

#include <cstdint>

namespace imagelib {

// Names one data connection for the lifetime of a control session. On the
// server side the environment picks it when it accepts a connection; on the
// client side the client core picks it when it asks for a connection. Events
// that name a data connection the core no longer cares about are ignored, so
// a late event after an abort is harmless.
using DataConnectionId = std::uint64_t;

// How a data connection ended, as the environment saw it from its side.
enum class DataCloseReason : std::uint8_t {
  kFinished,  // orderly end: TCP FIN (with or without TLS close_notify)
  kReset,     // reset, TLS failure, or any error before the orderly end
};

}  // namespace imagelib
