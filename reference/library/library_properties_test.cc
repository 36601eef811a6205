// Properties of the Library over random operation sequences with three
// accounts: access rules hold after every step, and the same seed and
// operations give the same ids and the same state.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "reference/library/testing.h"

namespace imagelib::testing {
namespace {

enum class OpKind {
  kUploadRegister, kUploadCorrupt, kMakePublic, kMakePrivate, kDeprecate, kUndeprecate,
  kLock, kUnlock, kDestroy, kCreateServer, kSnapshot, kRunJobs, kResetPassword,
};

struct Op {
  OpKind kind;
  int actor;   // index into the fixture's accounts
  int target;  // index into the images or servers made so far
};

}  // namespace
}  // namespace imagelib::testing

namespace rc {
template <>
struct Arbitrary<imagelib::testing::Op> {
  static Gen<imagelib::testing::Op> arbitrary() {
    using imagelib::testing::OpKind;
    return gen::build<imagelib::testing::Op>(
        gen::set(&imagelib::testing::Op::kind,
                 gen::element(OpKind::kUploadRegister, OpKind::kUploadCorrupt, OpKind::kMakePublic,
                              OpKind::kMakePrivate, OpKind::kDeprecate, OpKind::kUndeprecate,
                              OpKind::kLock, OpKind::kUnlock, OpKind::kDestroy,
                              OpKind::kCreateServer, OpKind::kSnapshot, OpKind::kRunJobs,
                              OpKind::kResetPassword)),
        gen::set(&imagelib::testing::Op::actor, gen::inRange(0, 3)),
        gen::set(&imagelib::testing::Op::target, gen::inRange(0, 64)));
  }
};
}  // namespace rc

namespace imagelib::testing {
namespace {

class World {
 public:
  explicit World(std::uint64_t seed) : f(LibraryOptions{.seed = seed}) {}

  LibraryFixture f;
  std::vector<ImageId> images;
  std::vector<ServerId> servers;
  int uploads = 0;

  AccountId actor(int i) const { return i == 0 ? f.main : i == 1 ? f.alt : f.third; }

  void apply(const Op& op) {
    const AccountId who = actor(op.actor);
    const ImageId image = images.empty() ? "img-00000" : images[static_cast<std::size_t>(op.target) % images.size()];
    f.now = f.now + std::chrono::seconds(1);
    switch (op.kind) {
      case OpKind::kUploadRegister:
      case OpKind::kUploadCorrupt: {
        const std::string name = "up" + std::to_string(uploads++) + ".img";
        f.upload(who, name, op.kind == OpKind::kUploadCorrupt ? Bytes{} : sample_disk(4096));
        auto made = f.library.register_image(who, f.register_request(name), f.now);
        if (made.ok()) images.push_back(made->id);
        break;
      }
      case OpKind::kMakePublic: (void)f.library.update_image(who, image, {.is_public = true}); break;
      case OpKind::kMakePrivate: (void)f.library.update_image(who, image, {.is_public = false}); break;
      case OpKind::kDeprecate: (void)f.library.update_image(who, image, {.status = "deprecated"}); break;
      case OpKind::kUndeprecate: (void)f.library.update_image(who, image, {.status = "available"}); break;
      case OpKind::kLock: (void)f.library.set_image_lock(who, image, true); break;
      case OpKind::kUnlock: (void)f.library.set_image_lock(who, image, false); break;
      case OpKind::kDestroy: (void)f.library.destroy_image(who, image); break;
      case OpKind::kCreateServer: {
        auto server = f.library.create_server(who, {.image = image}, f.now);
        if (server.ok()) servers.push_back(server->id);
        break;
      }
      case OpKind::kSnapshot: {
        if (servers.empty()) break;
        auto made = f.library.snapshot_server(who, servers[static_cast<std::size_t>(op.target) % servers.size()], f.now);
        if (made.ok()) images.push_back(made->id);
        break;
      }
      case OpKind::kRunJobs: f.finish_jobs(); break;
      case OpKind::kResetPassword: (void)f.library.reset_ftp_password(who, who); break;
    }
  }

  // The image as its owner sees it; nullopt once deleted.
  std::optional<Image> truth(const ImageId& id) const {
    for (int a = 0; a < 3; ++a) {
      auto shown = f.library.show_image(actor(a), id);
      if (shown.ok() && shown->owner == actor(a)) return *shown;
    }
    return std::nullopt;
  }

  void check_access_rules() {
    for (int a = 0; a < 3; ++a) {
      const AccountId viewer = actor(a);
      const auto listed = f.library.list_images(viewer);
      auto is_listed = [&](const ImageId& id) {
        return std::any_of(listed.begin(), listed.end(), [&](const Image& i) { return i.id == id; });
      };
      for (const ImageId& id : images) {
        const auto image = truth(id);
        if (!image) {
          RC_ASSERT(!is_listed(id));
          continue;
        }
        if (image->owner == viewer) {
          RC_ASSERT(is_listed(id));  // an owner always lists its own non-deleted images
          continue;
        }
        if (!image->is_public) {
          // Never list, show, download or build from another's private image.
          RC_ASSERT(!is_listed(id));
          RC_ASSERT(f.library.show_image(viewer, id).status().code() == ErrorCode::kNotFound);
          RC_ASSERT(f.library.ftp_read(viewer, images_path(id), 0, 1).status().code() ==
                    ErrorCode::kNotFound);
          RC_ASSERT(f.library.create_server(viewer, {.image = id}, f.now).status().code() ==
                    ErrorCode::kNotFound);
          continue;
        }
        RC_ASSERT(is_listed(id) == (image->status == ImageStatus::kAvailable));
        if (image->status == ImageStatus::kDeprecated) {
          auto server = f.library.create_server(viewer, {.image = id}, f.now);
          RC_ASSERT(server.ok());  // deprecated stays buildable by id
          servers.push_back(server->id);
        }
      }
    }
  }

  static FtpPath images_path(const ImageId& id) { return FtpPath{FtpFolder::kImages, id}; }
};

RC_GTEST_PROP(LibraryProperties, AccessRulesHoldAfterEveryOperation, (const std::vector<Op>& ops)) {
  World world(*rc::gen::inRange<std::uint64_t>(1, 1000));
  for (const Op& op : ops) {
    world.apply(op);
    world.check_access_rules();
  }
}

RC_GTEST_PROP(LibraryProperties, SameSeedAndOperationsGiveSameIdsAndState,
              (const std::vector<Op>& ops)) {
  const auto seed = *rc::gen::inRange<std::uint64_t>(1, 1000);
  World first(seed), second(seed);
  for (const Op& op : ops) {
    first.apply(op);
    second.apply(op);
  }
  RC_ASSERT(first.images == second.images);
  RC_ASSERT(first.servers == second.servers);
  RC_ASSERT(first.f.library.dump_state() == second.f.library.dump_state());
}

TEST(LibraryDeterminism, DifferentSeedsGiveDifferentIds) {
  World a(1), b(2);
  a.apply({OpKind::kUploadRegister, 0, 0});
  b.apply({OpKind::kUploadRegister, 0, 0});
  EXPECT_NE(a.f.main, b.f.main);
  EXPECT_NE(a.images, b.images);
  EXPECT_NE(a.f.library.dump_state(), b.f.library.dump_state());
}

}  // namespace
}  // namespace imagelib::testing
