// Listing formats of the FTP dialogue: `ls -l` lines for LIST and STAT (the
// form of the seed document, which every client parses), bare names for
// NLST, RFC 3659 fact lines for MLSD and MLST, and MDTM's time. Pure
// functions of their arguments; the reading of the time comes from the
// caller (the event's time), never from a clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "reference/base/timestamp.h"
#include "reference/library/ftp_path.h"
#include "reference/library/library.h"

namespace imagelib {

// The path argument of LIST, NLST and STAT without the `ls` options clients
// put before it ("-la images" -> "images", "-l" -> "").
std::string_view strip_ls_options(std::string_view argument);

// Where an entry listed in `folder` points ("/" lists the folders themselves).
FtpPath entry_path(const FtpPath& folder, const FtpEntry& entry);

// RFC 3659 facts a client may select with OPTS MLST; all on by default.
struct MlstFacts {
  bool type = true;
  bool size = true;
  bool modify = true;
  bool perm = true;
};

// "20261127002422": MDTM's answer and the `modify` fact (UTC).
std::string format_ftp_time(Timestamp t);

// One `ls -l` line without CRLF, e.g.
// "-rw-r--r--   1 acc-xxxxx library   1048576 Nov 27 00:26 photo1.jpg".
// `owner` is the account; `folder` is where the entry lives, which decides
// its permissions (incoming/ writable, everything else read-only). The time
// shows "HH:MM" within six months of `now`, else the year.
std::string format_list_line(const FtpEntry& entry, FtpFolder folder, std::string_view owner,
                             Timestamp now);

// The facts of an entry as an MLSD line or MLST line ends them: "type=file;size=5;
// modify=...;perm=adfrw; " (the caller appends the name). `entry_path` is where
// the entry itself points, which decides `type` and `perm`.
std::string format_mlst_facts(const FtpEntry& entry, const FtpPath& entry_path,
                              const MlstFacts& facts);

// Parses the argument of "OPTS MLST type;size;": the facts it names (unknown
// names are ignored, as RFC 3659 asks) and the list to echo in the `200` reply.
MlstFacts parse_mlst_facts(std::string_view argument, std::string& echoed);

// The facts for FEAT: "type*;size*;modify*;perm*;" with "*" on those selected.
std::string feat_mlst_facts(const MlstFacts& facts);

}  // namespace imagelib
