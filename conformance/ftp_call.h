// Conversions between the harness's FtpCall/FtpReply and the FTP client
// core's operations and outcomes, shared by every target that drives
// FtpClientSession.
#pragma once

#include <string>

#include "conformance/target.h"
#include "reference/ftp/ftp_client_session.h"

namespace imagelib::conformance {

// The client operation for any call but login and quit.
FtpClientOperation to_client_operation(const FtpCall& call);
FtpReply reply_from_outcome(const FtpClientOutcome& outcome);
// The first reply in raw reply text ("530 Non-anonymous ...\r\n").
FtpReply reply_from_text(const std::string& text);

}  // namespace imagelib::conformance
