#include "reference/formats/vmdk_descriptor.h"

#include <gtest/gtest.h>

#include <string>

namespace imagelib {
namespace {

// What qemu-img 7.2 embeds in a monolithicSparse file.
constexpr std::string_view kQemuDescriptor =
    "# Disk DescriptorFile\n"
    "version=1\n"
    "CID=9cfab8b5\n"
    "parentCID=ffffffff\n"
    "createType=\"monolithicSparse\"\n"
    "\n"
    "# Extent description\n"
    "RW 6169 SPARSE \"s.vmdk\"\n"
    "\n"
    "# The Disk Data Base\n"
    "#DDB\n"
    "\n"
    "ddb.virtualHWVersion = \"4\"\n"
    "ddb.geometry.cylinders = \"6\"\n"
    "ddb.adapterType = \"ide\"\n";

std::string replaced(std::string_view text, std::string_view from, std::string_view to) {
  std::string result(text);
  const std::size_t at = result.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) result.replace(at, from.size(), to);
  return result;
}

void expect_refused(const std::string& text, const std::string& reason) {
  auto parsed = parse_vmdk_descriptor(text);
  ASSERT_FALSE(parsed.ok()) << "accepted a descriptor that should be refused for: " << reason;
  EXPECT_EQ(parsed.status().code(), ErrorCode::kBadImage);
  EXPECT_NE(parsed.status().message().find(reason), std::string::npos) << parsed.status().message();
}

TEST(VmdkDescriptor, QemuDescriptorsAreAccepted) {
  auto sparse = parse_vmdk_descriptor(kQemuDescriptor);
  ASSERT_TRUE(sparse.ok()) << sparse.status().to_string();
  EXPECT_FALSE(sparse->stream_optimized);
  EXPECT_EQ(sparse->extent_sectors, 6169u);
  auto stream =
      parse_vmdk_descriptor(replaced(kQemuDescriptor, "monolithicSparse", "streamOptimized"));
  ASSERT_TRUE(stream.ok()) << stream.status().to_string();
  EXPECT_TRUE(stream->stream_optimized);
}

TEST(VmdkDescriptor, WindowsLineEndingsPaddingAndReadOnlyExtentsAreAccepted) {
  std::string text;
  for (const char c : kQemuDescriptor) text += c == '\n' ? std::string("\r\n") : std::string(1, c);
  text = replaced(text, "RW 6169", "RDONLY 6169");
  // Two appends: GCC 12's -Warray-bounds misreads string(100, 0) + "...".
  text.append(100, '\0');
  text += "garbage after the terminator";
  auto parsed = parse_vmdk_descriptor(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed->extent_sectors, 6169u);
}

TEST(VmdkDescriptor, ExtentsNamingOtherFilesAreRefused) {
  expect_refused(replaced(kQemuDescriptor, "SPARSE \"s.vmdk\"", "FLAT \"/etc/hostname\" 0"),
                 "extent type FLAT");
  expect_refused(replaced(kQemuDescriptor, "SPARSE", "VMFS"), "extent type VMFS");
  expect_refused(replaced(kQemuDescriptor, "SPARSE", "VMFSSPARSE"), "extent type VMFSSPARSE");
  expect_refused(replaced(kQemuDescriptor, "SPARSE", "SESPARSE"), "extent type SESPARSE");
  expect_refused(replaced(kQemuDescriptor, "SPARSE", "ZERO"), "extent type ZERO");
  expect_refused(replaced(kQemuDescriptor, "\"s.vmdk\"", "\"/etc/shadow\""), "is a path");
  expect_refused(replaced(kQemuDescriptor, "\"s.vmdk\"", "\"../other.vmdk\""), "is a path");
  expect_refused(replaced(kQemuDescriptor, "\"s.vmdk\"", "\"s.vmdk\" 0"), "no offset");
  expect_refused(replaced(kQemuDescriptor, "RW 6169 SPARSE \"s.vmdk\"\n",
                          "RW 6169 SPARSE \"s.vmdk\"\nRW 6169 SPARSE \"s-2.vmdk\"\n"),
                 "more than one extent");
  expect_refused(replaced(kQemuDescriptor, "RW 6169", "NOACCESS 6169"), "not readable");
  expect_refused(replaced(kQemuDescriptor, "RW 6169 SPARSE \"s.vmdk\"\n", ""), "no extent");
}

TEST(VmdkDescriptor, CreateTypesOtherThanTheSelfContainedOnesAreRefused) {
  for (const char* type : {"monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat", "vmfs",
                           "vmfsSparse", "seSparse", "fullDevice", ""}) {
    SCOPED_TRACE(type);
    expect_refused(replaced(kQemuDescriptor, "monolithicSparse", type), "is not monolithicSparse");
  }
  expect_refused(replaced(kQemuDescriptor, "createType=\"monolithicSparse\"\n", ""),
                 "no createType");
}

TEST(VmdkDescriptor, ParentsAreRefused) {
  expect_refused(replaced(kQemuDescriptor, "parentCID=ffffffff", "parentCID=12345678"),
                 "parentCID 12345678");
  expect_refused(replaced(kQemuDescriptor, "#DDB\n", "#DDB\nparentFileNameHint=\"base.vmdk\"\n"),
                 "parentFileNameHint");
}

TEST(VmdkDescriptor, MalformedLinesAreRefused) {
  expect_refused(replaced(kQemuDescriptor, "#DDB\n", "#DDB\nthis is not a key\n"),
                 "unrecognised descriptor line");
  expect_refused(replaced(kQemuDescriptor, "CID=9cfab8b5", "CID=9cfa\x01"), "control characters");
  expect_refused(replaced(kQemuDescriptor, "RW 6169", "RW lots"), "no sector count");
}

}  // namespace
}  // namespace imagelib
