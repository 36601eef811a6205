#include "tools/server_table.h"

#include <gtest/gtest.h>

namespace imagelib::cli {
namespace {

using nlohmann::json;

// A server as fog-brightbox's Full SERVER format has it.
json server(std::string id, std::string name) {
  return {{"id", id},
          {"resource_type", "server"},
          {"name", name},
          {"status", "active"},
          {"hostname", id},
          {"fqdn", id + ".gb1.brightbox.com"},
          {"created_at", "2026-12-02T10:00:00Z"},
          {"deleted_at", nullptr},
          {"compatibility_mode", true},
          {"server_type",
           {{"id", "typ-02048"},
            {"handle", "2gb.ssd"},
            {"name", "2GB SSD"},
            {"ram", 2048},
            {"cores", 2},
            {"disk_size", 81920}}},
          {"image",
           {{"id", "img-abcde"}, {"name", "Ubuntu"}, {"arch", "x86_64"}, {"username", "ubuntu"}}},
          {"zone", {{"id", "zon-aaaaa"}, {"handle", "gb1-a"}}},
          {"cloud_ips", json::array({{{"id", "cip-11111"}, {"public_ipv4", "109.107.35.1"}},
                                     {{"id", "cip-22222"}, {"public_ipv4", "109.107.35.2"}}})},
          {"interfaces", json::array({{{"id", "int-aaaaa"},
                                       {"ipv4_address", "10.0.0.1"},
                                       {"ipv6_address", "2a02:1348::1"}}})},
          {"snapshots", json::array({{{"id", "img-snap1"}}, {{"id", "img-snap2"}}})},
          {"server_groups", json::array({{{"id", "grp-aaaaa"}}})},
          {"volumes", json::array()}};
}

TEST(ServerTable, ListHasBrightboxCliColumnsInTheApisOrder) {
  EXPECT_EQ(
      render_server_table({server("srv-zzzzz", "web"), server("srv-aaaaa", "db")}),
      " id         status  type     zone   created_on  image_id   cloud_ip_ids          name\n"
      "--------------------------------------------------------------------------------------\n"
      " srv-zzzzz  active  2gb.ssd  gb1-a  2026-12-02  img-abcde  cip-11111, cip-22222  web\n"
      " srv-aaaaa  active  2gb.ssd  gb1-a  2026-12-02  img-abcde  cip-11111, cip-22222  db\n"
      "--------------------------------------------------------------------------------------\n");
}

TEST(ServerTable, MissingFieldsAreEmptyCellsAndNeverThrow) {
  const std::string table = render_server_table(
      {json{{"id", "srv-aaaaa"}, {"server_type", "typ-02048"}, {"cloud_ips", 7}},
       json("not an object"), json{{"id", 5}}});
  EXPECT_NE(table.find(" srv-aaaaa\n"), std::string::npos) << table;
  EXPECT_NE(table.find(" 5\n"), std::string::npos) << table;
  EXPECT_NO_THROW(render_server_fields(json{{"server_type", nullptr}, {"interfaces", {1, 2}}}));
  EXPECT_NO_THROW(render_server_type_table({json{{"ram", "lots"}}, json(3)}));
}

TEST(ServerTable, ShowHasDetailedServerFieldsWithDerivedHostnames) {
  const std::string fields = render_server_fields(server("srv-zzzzz", "web"));
  for (const char* line :
       {"                id: srv-zzzzz\n", "         type_name: 2GB SSD\n",
        "               ram: 2048\n", "              disk: 81920\n", "        image_name: Ubuntu\n",
        "       private_ips: 10.0.0.1\n",
        "   public_hostname: public.srv-zzzzz.gb1.brightbox.com\n",
        "     ipv6_hostname: ipv6.srv-zzzzz.gb1.brightbox.com\n",
        "       cloud_ipv4s: 109.107.35.1, 109.107.35.2\n",
        "         snapshots: img-snap1, img-snap2\n", "           volumes: \n"}) {
    EXPECT_NE(fields.find(line), std::string::npos) << "no line \"" << line << "\" in\n" << fields;
  }
  // No cloud IP and no IPv6 address: no public or IPv6 host name.
  json bare = server("srv-zzzzz", "web");
  bare["cloud_ips"] = json::array();
  bare["interfaces"] = json::array();
  const std::string bare_fields = render_server_fields(bare);
  EXPECT_NE(bare_fields.find("   public_hostname: \n"), std::string::npos) << bare_fields;
  EXPECT_NE(bare_fields.find("     ipv6_hostname: \n"), std::string::npos) << bare_fields;
}

TEST(ServerTypeTable, ListsSmallestRamFirst) {
  auto type = [](std::string id, std::string handle, int ram) {
    return json{{"id", id},
                {"name", handle},
                {"handle", handle},
                {"ram", ram},
                {"disk_size", ram * 40},
                {"cores", ram / 1024 + 1},
                {"status", "available"}};
  };
  EXPECT_EQ(render_server_type_table(
                {type("typ-04096", "4gb.ssd", 4096), type("typ-00512", "512mb.ssd", 512)}),
            " id         name       handle     ram   disk    cores\n"
            "------------------------------------------------------\n"
            " typ-00512  512mb.ssd  512mb.ssd  512   20480   1\n"
            " typ-04096  4gb.ssd    4gb.ssd    4096  163840  5\n"
            "------------------------------------------------------\n");
  EXPECT_EQ(render_server_type_fields(type("typ-00512", "512mb.ssd", 512)),
            "      id: typ-00512\n"
            "  handle: 512mb.ssd\n"
            "  status: available\n"
            "    name: 512mb.ssd\n"
            "     ram: 512\n"
            "    disk: 20480\n"
            "   cores: 1\n");
}

}  // namespace
}  // namespace imagelib::cli
