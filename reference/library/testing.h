// Test helpers for the Library: a library with three accounts and short-hand
// for the steps every test repeats. Tests only.
#pragma once

#include <string>

#include "reference/library/library.h"

namespace imagelib::testing {

inline const Timestamp kStart = Timestamp::from_unix_seconds(1305806400);  // 2011-05-19T12:00:00Z

class LibraryFixture {
 public:
  explicit LibraryFixture(LibraryOptions options = {});

  Library library;
  AccountId main;
  AccountId alt;
  AccountId third;
  Timestamp now = kStart;

  // Uploads `content` to the account's incoming/ as `name`.
  void upload(const AccountId& account, const std::string& name, const Bytes& content);
  // Uploads, registers and lets the job finish; returns the image as it ends.
  Image add_image(const AccountId& account, const std::string& name, const Bytes& content,
                  bool is_public = false);
  // Advances virtual time past every pending job.
  void finish_jobs();
  RegisterRequest register_request(const std::string& source, const std::string& arch = "x86_64");
};

// A small deterministic disk: some text, a zero run, more text.
Bytes sample_disk(std::size_t size = 3 * 65536, std::uint8_t fill = 0x5a);

FtpPath incoming(const std::string& name);
FtpPath images(const std::string& name);

}  // namespace imagelib::testing
