#include "tools/walkthrough.h"

#include <string>
#include <vector>

#include "reference/library/json.h"
#include "reference/library/library.h"
#include "tools/image_table.h"

namespace imagelib::cli {
namespace {

constexpr std::string_view kApiBase = "https://api.library.localhost";

// A deterministic 8 MiB disk: a boot sector, text, and zero runs.
Bytes slackware_disk() {
  Bytes disk(8 * kMiB, 0);
  const std::string text = "Slackware 13.37 root filesystem ";
  for (std::size_t i = 0; i < 2 * kMiB; ++i) disk[i] = static_cast<std::uint8_t>(text[i % text.size()]);
  disk[510] = 0x55;
  disk[511] = 0xaa;
  return disk;
}

class Walkthrough {
 public:
  Walkthrough(std::ostream& out, std::uint64_t seed)
      : out_(out), library_(LibraryOptions{.seed = seed}) {}

  int run();

 private:
  void step(const std::string& command) { out_ << "\n$ " << command << "\n"; }
  void check(bool ok, const std::string& what) {
    out_ << (ok ? "  ok: " : "  FAILED: ") << what << "\n";
    if (!ok) ++failures_;
  }
  void print_images(const std::vector<Image>& images) {
    std::vector<nlohmann::json> rows;
    for (const auto& image : images) rows.push_back(image_json(image, kApiBase));
    out_ << render_image_table(rows);
  }
  void print_listing(const AccountId& account, const FtpPath& folder) {
    for (const auto& entry : library_.ftp_list(account, folder).value()) {
      out_ << (entry.is_folder ? "drwxr-sr-x" : "-rw-r--r--") << "  " << account << " library  "
           << entry.size << "  " << entry.name << "\n";
    }
  }
  bool listed(const AccountId& viewer, const ImageId& id) const {
    for (const auto& image : library_.list_images(viewer)) {
      if (image.id == id) return true;
    }
    return false;
  }
  void advance(Duration by) {
    now_ = now_ + by;
    library_.run_jobs_until(now_);
  }

  std::ostream& out_;
  Library library_;
  Timestamp now_ = Timestamp::from_unix_seconds(1305806400);  // 2011-05-19T12:00:00Z
  int failures_ = 0;
};

int Walkthrough::run() {
  const AccountId me = library_.create_account("example").value().id;
  const AccountId other = library_.create_account("other").value().id;
  (void)library_.add_official_image(
      {.name = "Ubuntu Lucid 10.04 server", .arch = Arch::kI686, .username = "ubuntu",
       .content = Bytes(2 * kMiB, 1)},
      now_ - std::chrono::hours(24 * 31));
  out_ << "imagelib walkthrough of the image library (reference, seed " << library_.options().seed
       << ")\n";

  step("brightbox accounts reset_ftp_password " + me);
  const Account account = library_.reset_ftp_password(me, me).value();
  const auto json = account_json(library_.view_account(account),
                                 {kApiBase, library_.options().ftp_host, ""}, true);
  out_ << "Resetting ftp password for " << me << "\n"
       << render_fields({{"id", me},
                         {"name", account.name},
                         {"library_ftp_host", json["library_ftp_host"]},
                         {"library_ftp_user", json["library_ftp_user"]},
                         {"library_ftp_password", *account.ftp_password}});
  check(library_.check_ftp_login(me, *account.ftp_password).ok(), "the new password logs in over FTP");

  step("lftp " + me + "@" + library_.options().ftp_host + " -e 'ls; put slackware.img -o incoming/'");
  print_listing(me, FtpPath{});
  const Bytes disk = slackware_disk();
  const FtpPath upload{FtpFolder::kIncoming, "slackware.img"};
  check(library_.ftp_open_for_write(me, upload, WriteMode::kReplace, 0, now_).ok() &&
            library_.ftp_write(me, upload, 0, disk, now_).ok(),
        "slackware.img uploaded to incoming/ (" + std::to_string(disk.size()) + " bytes)");
  check(!library_.ftp_open_for_write(me, FtpPath{FtpFolder::kImages, "x.img"}, WriteMode::kReplace,
                                     0, now_).ok(),
        "images/ refuses uploads (553)");

  step("brightbox images register -a i686 -n Slackware -d \"Fresh slackware install\" -s slackware.img");
  RegisterRequest request{.arch = "i686", .source = "slackware.img", .name = "Slackware",
                          .description = "Fresh slackware install"};
  const Image registered = library_.register_image(me, request, now_).value();
  print_images({registered});
  check(registered.status == ImageStatus::kCreating, "registered image is creating");
  check(!library_.ftp_stat(me, upload).ok() &&
            library_.ftp_stat(me, FtpPath{FtpFolder::kImages, registered.id}).ok(),
        "the file left incoming/ and is images/" + registered.id);

  step("brightbox images list");
  advance(std::chrono::seconds(5));
  print_images(library_.list_images(me));
  const Image available = library_.show_image(me, registered.id).value();
  check(available.status == ImageStatus::kAvailable && available.virtual_size == disk.size(),
        "registration finished: available, virtual_size " +
            std::to_string(to_megabytes(available.virtual_size)) + " MB, sha256 " +
            available.sha256.substr(0, 12) + "...");
  check(!listed(other, registered.id) && !library_.show_image(other, registered.id).ok(),
        "another account can neither list nor show the private image");

  step("brightbox images update --mode=compatibility " + registered.id);
  (void)library_.update_image(me, registered.id, {.compatibility_mode = true});
  const Server server = library_.create_server(me, {.image = registered.id, .name = "my slackware box"}, now_).value();
  check(server.compatibility_mode, "servers created from now on use compatibility mode (" + server.id + ")");

  step("brightbox images update --public=true " + registered.id);
  (void)library_.update_image(me, registered.id, {.is_public = true});
  print_images(library_.list_images(other));
  check(listed(other, registered.id), "another account lists the public image");

  step("brightbox images update --deprecated=true " + registered.id);
  (void)library_.update_image(me, registered.id, {.status = "deprecated"});
  print_images(library_.list_images(me));
  check(!listed(other, registered.id), "deprecated: hidden from other accounts' listings");
  check(library_.create_server(other, {.image = registered.id}, now_).ok(),
        "deprecated: still buildable by id by another account");

  step("brightbox servers snapshot " + server.id);
  const Image snapshot = library_.snapshot_server(me, server.id, now_).value();
  advance(std::chrono::seconds(5));
  const Image snapshot_done = library_.show_image(me, snapshot.id).value();
  print_images(library_.list_images(me));
  check(snapshot_done.status == ImageStatus::kAvailable && snapshot_done.sha256 == available.sha256,
        "the snapshot is available and its disk equals the server's");
  check(snapshot_done.ancestor == registered.id, "the snapshot's ancestor is " + registered.id);
  print_listing(me, FtpPath{FtpFolder::kImages, ""});

  out_ << "\n" << (failures_ == 0 ? "walkthrough passed" : "walkthrough FAILED") << ": "
       << failures_ << " failed steps\n";
  return failures_;
}

}  // namespace

int run_walkthrough(std::ostream& out, std::uint64_t seed) { return Walkthrough(out, seed).run(); }

}  // namespace imagelib::cli
