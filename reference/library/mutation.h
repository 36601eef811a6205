// Mutation: a fault that can be switched into the reference, each one
// breaking exactly one rule of SPEC §3/§4 at the line that decides it. The
// harness's mutation test serves every mutant (`imagelib serve --mutant NAME`,
// or a DirectTarget built with one) and checks that the scenario suite
// catches it: a suite that passes against a broken reference proves nothing.
//
// The mutation lives in LibraryOptions; ApiService and FtpServerSession read
// it from the Library they serve, so one switch covers the whole service.
// kNone (the default) is the reference as specified. Nothing but the harness
// and its tests should ever set anything else.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace imagelib {

enum class Mutation {
  kNone,
  kListOthersPrivateImages,
  kListOthersDeprecatedImages,
  kDeprecatedNotBuildable,
  kCompatibilityModeNotCopied,
  kCompatibilityModeChangesExistingServers,
  kPublicFlagIgnored,
  kImagesWritable,
  kIncomingKeptAfterRegistration,
  kOldFtpPasswordAccepted,
  kProtCDataAllowed,
  kPlainLoginAllowed,
  kFailedRegistrationLosesFile,
  kUnsafeQcow2Accepted,
  kWrongVirtualSize,
  kLockedImageDestroyed,
  kExpiredTokenAccepted,
};

struct MutationInfo {
  Mutation mutation;
  std::string_view name;         // kebab-case, as `--mutant` takes it
  std::string_view description;  // the broken rule, one line
};

// Every mutation but kNone, in declaration order.
std::span<const MutationInfo> all_mutations();

// "none" for kNone.
std::string_view to_string(Mutation mutation);
// The broken rule; "the reference as specified" for kNone.
std::string_view description_of(Mutation mutation);
// Accepts "none" and every name of all_mutations().
std::optional<Mutation> parse_mutation(std::string_view name);

}  // namespace imagelib
