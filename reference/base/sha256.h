// Sha256: incremental SHA-256 of a decoded disk, zero runs included without
// materialising them. Not thread-safe; one instance per digest.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "reference/base/bytes.h"

namespace imagelib {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(ByteView data);
  void update_zeros(std::uint64_t count);
  // Lowercase hex of the digest; the object must not be updated afterwards.
  std::string hex_digest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

std::string sha256_hex(ByteView data);
// The 32 bytes of the digest of `data`.
std::array<std::uint8_t, 32> sha256_bytes(ByteView data);

// An ExtentSink that hashes a disk written to it in offset order, filling any
// gap between extents with zeros.
class Sha256Sink final : public ExtentSink {
 public:
  Status write_data(std::uint64_t offset, ByteView data) override;
  Status write_zero(std::uint64_t offset, std::uint64_t length) override;
  // Hashes zeros up to `disk_size` and returns the digest.
  std::string finish(std::uint64_t disk_size);

 private:
  Status catch_up(std::uint64_t offset);
  Sha256 hash_;
  std::uint64_t position_ = 0;
};

}  // namespace imagelib
