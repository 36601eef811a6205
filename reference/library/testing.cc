#include "reference/library/testing.h"

#include <gtest/gtest.h>

namespace imagelib::testing {

LibraryFixture::LibraryFixture(LibraryOptions options) : library(std::move(options)) {
  main = library.create_account("main").value().id;
  alt = library.create_account("alt").value().id;
  third = library.create_account("third").value().id;
}

void LibraryFixture::upload(const AccountId& account, const std::string& name, const Bytes& content) {
  auto opened = library.ftp_open_for_write(account, incoming(name), WriteMode::kReplace, 0, now);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  ASSERT_TRUE(library.ftp_write(account, incoming(name), 0, content, now).ok());
}

Image LibraryFixture::add_image(const AccountId& account, const std::string& name,
                                const Bytes& content, bool is_public) {
  upload(account, name, content);
  RegisterRequest request = register_request(name);
  request.is_public = is_public;
  auto image = library.register_image(account, request, now);
  EXPECT_TRUE(image.ok()) << image.status().to_string();
  finish_jobs();
  return library.show_image(account, image->id).value();
}

void LibraryFixture::finish_jobs() {
  while (auto due = library.next_job_due()) {
    now = std::max(now, *due);
    library.run_jobs_until(now);
  }
}

RegisterRequest LibraryFixture::register_request(const std::string& source, const std::string& arch) {
  RegisterRequest request;
  request.source = source;
  request.arch = arch;
  return request;
}

Bytes sample_disk(std::size_t size, std::uint8_t fill) {
  Bytes disk(size, 0);
  for (std::size_t i = 0; i < size / 3; ++i) disk[i] = static_cast<std::uint8_t>(fill + i % 7);
  for (std::size_t i = 2 * size / 3; i < size; ++i) disk[i] = fill;
  return disk;
}

FtpPath incoming(const std::string& name) { return FtpPath{FtpFolder::kIncoming, name}; }
FtpPath images(const std::string& name) { return FtpPath{FtpFolder::kImages, name}; }

}  // namespace imagelib::testing
