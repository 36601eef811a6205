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

TEST(ImageTable, SortsByStatusRankThenNewestFirstAndSnapshotsOldestFirst) {
  auto dated = [](nlohmann::json i, std::string at) {
    i["created_at"] = at;
    return i;
  };
  const std::string table = render_image_table({
      dated(image("img-snap2", "B", "available", false, false, "snapshot"), "2011-05-21T00:00:00Z"),
      dated(image("img-snap1", "A", "available", false, false, "snapshot"), "2011-05-20T00:00:00Z"),
      dated(image("img-fail1", "Same", "failed", false), "2011-05-19T00:00:00Z"),
      dated(image("img-depr1", "Same", "deprecated", true), "2011-05-19T00:00:00Z"),
      dated(image("img-priv1", "Same", "available", false), "2011-05-19T00:00:00Z"),
      dated(image("img-pubo1", "Same", "available", true), "2011-05-18T00:00:00Z"),
      dated(image("img-pubn1", "Same", "available", true), "2011-05-20T00:00:00Z"),
  });
  std::vector<std::string> order;
  for (std::size_t at = table.find(" img-"); at != std::string::npos; at = table.find(" img-", at + 1)) {
    order.push_back(table.substr(at + 1, 9));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"img-pubn1", "img-pubo1", "img-priv1", "img-depr1",
                                             "img-fail1", "img-snap1", "img-snap2"}));
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
