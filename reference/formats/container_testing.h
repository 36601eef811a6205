// Test support shared by the container readers' tests (vmdk, vdi, vpc,
// vhdx): decoding through a sink that checks the ContainerFormat contract
// (ascending extents covering [0, virtual_size) exactly once), comparing a
// reader with `qemu-img convert -O raw` on vectors qemu-img makes at test
// time, and running a reader over mutated copies of a file. For tests only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reference/base/blob.h"
#include "reference/formats/container.h"

namespace imagelib::testing {

struct DecodedDigest {
  std::uint64_t virtual_size;
  std::string sha256;
};

// Decodes `in` with `format`, checking that the extents arrive in order and
// cover the disk exactly once; kInternal when the reader broke the contract.
Result<DecodedDigest> decode_and_hash(const ContainerFormat& format, const RandomAccessSource& in,
                                      const DecodeLimits& limits = {});

// A qemu-img vector: `size` bytes of test disk (write_test_disk with
// `data_bytes` and `seed`) converted with `qemu-img convert -O <qemu_format>
// <options...>`.
struct QemuVector {
  std::string qemu_format;           // "vmdk", "vdi", "vpc", "vhdx"
  std::vector<std::string> options;  // e.g. {"-o", "subformat=streamOptimized"}
  std::uint64_t size;
  std::uint64_t data_bytes;
  std::uint64_t seed;
};

// Makes the vector in a scratch directory, decodes it with `format` and with
// `qemu-img convert -f <qemu_format> -O raw`, and fails (gtest) unless both
// give the same virtual size and SHA-256.
void expect_decodes_like_qemu(const ContainerFormat& format, const QemuVector& vector);

// The bytes of a vector made by qemu-img (for mutation tests).
Result<Bytes> make_qemu_image(const QemuVector& vector);

// A MemoryBlob holding `bytes`.
MemoryBlob blob_of(ByteView bytes);

// Fails (gtest) unless decoding `bytes` gives kBadImage whose message
// contains `reason`.
void expect_refused(const ContainerFormat& format, ByteView bytes, const std::string& reason,
                    const DecodeLimits& limits = {});

// Decodes `bytes` (without hashing) and fails (gtest) unless it either
// succeeds within the contract or gives kBadImage. Returns true when it
// succeeded.
bool expect_decoded_or_refused(const ContainerFormat& format, ByteView bytes);

// Truncates `bytes` at each of `boundaries` (and one byte either side) and
// expects kBadImage from each.
void expect_truncations_refused(const ContainerFormat& format, ByteView bytes,
                                const std::vector<std::uint64_t>& boundaries);

// Flips one bit in each byte of [begin, end) in turn and expects each result
// decoded within the contract or refused.
void expect_bit_flips_handled(const ContainerFormat& format, ByteView bytes, std::uint64_t begin,
                              std::uint64_t end);

// A byte range of a file, [begin, end).
struct ByteRange {
  std::uint64_t begin;
  std::uint64_t end;
};

// RapidCheck property (fails the gtest when it does not hold): copies of
// `bytes` with one to eight bytes inside `ranges` overwritten with arbitrary
// values are each decoded within the contract or refused with kBadImage.
void expect_random_overwrites_handled(const ContainerFormat& format, const Bytes& bytes,
                                      const std::vector<ByteRange>& ranges);

}  // namespace imagelib::testing
