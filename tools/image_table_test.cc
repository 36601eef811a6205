#include "tools/image_table.h"

#include <gtest/gtest.h>

namespace imagelib::cli {
namespace {

nlohmann::json image(std::string id, std::string name, std::string status, bool is_public,
                     bool official = false, std::string source_type = "upload") {
  return {{"id", id},           {"owner", "acc-xxxxx"},    {"official", official},
          {"public", is_public}, {"status", status},        {"source_type", source_type},
          {"arch", "i686"},      {"virtual_size", 3050},    {"name", name},
          {"created_at", "2011-05-19T12:00:00Z"}};
}

TEST(ImageTable, MatchesBrightboxCliLayoutAndOrder) {
  const std::string table = render_image_table({
      image("img-snap1", "Snapshot", "available", false, false, "snapshot"),
      image("img-7geqi", "Slackware", "creating", false),
      image("img-hvqt1", "Ubuntu Hardy", "available", true, true),
  });
  EXPECT_EQ(table,
            " id         owner      type      created_on  status    size  arch  name\n"
            "--------------------------------------------------------------------------------\n"
            " img-hvqt1  brightbox  official  2011-05-19  public    3050  i686  Ubuntu Hardy\n"
            " img-7geqi  acc-xxxxx  upload    2011-05-19  creating  3050  i686  Slackware\n"
            " img-snap1  acc-xxxxx  snapshot  2011-05-19  private   3050  i686  Snapshot\n"
            "--------------------------------------------------------------------------------\n");
}

TEST(ImageTable, StatusShowsAsTheCliShowsIt) {
  EXPECT_EQ(display_status(image("i", "n", "available", true)), "public");
  EXPECT_EQ(display_status(image("i", "n", "available", false)), "private");
  EXPECT_EQ(display_status(image("i", "n", "deprecated", true)), "deprecated");
  EXPECT_EQ(display_status(image("i", "n", "deprecated", false)), "private");
  EXPECT_EQ(display_status(image("i", "n", "failed", true)), "failed");
}

TEST(Fields, AreRightAligned) {
  EXPECT_EQ(render_fields({{"id", "acc-xxxxx"}, {"library_ftp_user", "acc-xxxxx"}}),
            "                id: acc-xxxxx\n  library_ftp_user: acc-xxxxx\n");
}

}  // namespace
}  // namespace imagelib::cli
