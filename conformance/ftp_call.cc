#include "conformance/ftp_call.h"

#include "reference/base/blob.h"

namespace imagelib::conformance {

FtpClientOperation to_client_operation(const FtpCall& call) {
  switch (call.op) {
    case FtpOp::kList: return FtpListOperation{call.path, FtpListingKind::kNlst};
    case FtpOp::kPut: {
      auto content = std::make_shared<MemoryBlob>();
      (void)content->write_at(0, call.content);
      const FtpUploadMode mode = call.mode == FtpCall::PutMode::kStore    ? FtpUploadMode::kReplace
                                 : call.mode == FtpCall::PutMode::kAppend ? FtpUploadMode::kResumeWithAppe
                                                                          : FtpUploadMode::kResumeWithRest;
      return FtpUploadOperation{call.path, std::move(content), mode};
    }
    case FtpOp::kGet: return FtpDownloadOperation{call.path, call.offset};
    case FtpOp::kDelete: return FtpDeleteOperation{call.path};
    case FtpOp::kRename: return FtpRenameOperation{call.path, call.to};
    case FtpOp::kSize: return FtpSizeOperation{call.path};
    case FtpOp::kCommand:
    case FtpOp::kLogin:
    case FtpOp::kQuit: break;
  }
  return FtpRawCommand{call.line};
}

FtpReply reply_from_outcome(const FtpClientOutcome& outcome) {
  return FtpReply{outcome.reply_code, outcome.reply_text, outcome.data, outcome.size};
}

FtpReply reply_from_text(const std::string& text) {
  FtpReply reply;
  if (text.size() >= 3) {
    try {
      reply.code = std::stoi(text.substr(0, 3));
    } catch (const std::exception&) {
      reply.code = 0;
    }
  }
  reply.text = text.substr(0, text.find('\r'));
  return reply;
}

}  // namespace imagelib::conformance
