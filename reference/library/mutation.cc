#include "reference/library/mutation.h"

#include <array>

namespace imagelib {
namespace {

constexpr std::array<MutationInfo, 16> kMutations{{
    {Mutation::kListOthersPrivateImages, "list-others-private",
     "another account's private image appears in the caller's image list"},
    {Mutation::kListOthersDeprecatedImages, "list-others-deprecated",
     "official and others' public images that are deprecated stay in the caller's list"},
    {Mutation::kDeprecatedNotBuildable, "deprecated-not-buildable",
     "a deprecated image can no longer be built from by id (409)"},
    {Mutation::kCompatibilityModeNotCopied, "compatibility-not-copied",
     "a new server does not take its image's compatibility_mode"},
    {Mutation::kCompatibilityModeChangesExistingServers, "compatibility-changes-existing",
     "changing an image's compatibility_mode also changes servers already built from it"},
    {Mutation::kPublicFlagIgnored, "public-ignored",
     "public: true neither lists nor shows the image to other accounts"},
    {Mutation::kImagesWritable, "images-writable",
     "STOR/APPE into images/ are accepted instead of 553"},
    {Mutation::kIncomingKeptAfterRegistration, "incoming-kept",
     "a registered upload stays in incoming/ as well as in images/"},
    {Mutation::kOldFtpPasswordAccepted, "old-ftp-password",
     "the FTP password before the last reset still logs in"},
    {Mutation::kProtCDataAllowed, "prot-c-allowed",
     "data commands run after PROT C instead of 522"},
    {Mutation::kPlainLoginAllowed, "plain-login",
     "USER is accepted before AUTH TLS instead of 530"},
    {Mutation::kFailedRegistrationLosesFile, "failed-loses-file",
     "a registration that fails drops the uploaded file from images/"},
    {Mutation::kUnsafeQcow2Accepted, "unsafe-qcow2",
     "a qcow2 the safety checks refuse is taken as a raw disk and ends available"},
    {Mutation::kWrongVirtualSize, "wrong-virtual-size",
     "virtual_size is one MB more than the decoded disk"},
    {Mutation::kLockedImageDestroyed, "locked-destroyed",
     "a locked image is destroyed instead of 409"},
    {Mutation::kExpiredTokenAccepted, "expired-token",
     "an expired bearer token is still accepted"},
}};

}  // namespace

std::span<const MutationInfo> all_mutations() { return kMutations; }

std::string_view to_string(Mutation mutation) {
  for (const MutationInfo& info : kMutations) {
    if (info.mutation == mutation) return info.name;
  }
  return "none";
}

std::string_view description_of(Mutation mutation) {
  for (const MutationInfo& info : kMutations) {
    if (info.mutation == mutation) return info.description;
  }
  return "the reference as specified";
}

std::optional<Mutation> parse_mutation(std::string_view name) {
  if (name == "none") return Mutation::kNone;
  for (const MutationInfo& info : kMutations) {
    if (info.name == name) return info.mutation;
  }
  return std::nullopt;
}

}  // namespace imagelib
