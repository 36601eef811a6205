#include "reference/library/visibility.h"

namespace imagelib {
namespace {

bool is_gone(const Image& image) {
  return image.status == ImageStatus::kDeleted || image.status == ImageStatus::kDeleting;
}

bool is_shared(const Image& image, Mutation mutation) {
  // Mutation kPublicFlagIgnored: only official images are shared.
  if (mutation == Mutation::kPublicFlagIgnored) return image.official;
  return image.official || image.is_public;
}

}  // namespace

bool is_listed_for(const AccountId& viewer, const Image& image, Mutation mutation) {
  if (image.owner == viewer) return !is_gone(image);
  // Mutation kListOthersPrivateImages: others' private images are listed while available.
  if (mutation == Mutation::kListOthersPrivateImages && !is_shared(image, mutation)) {
    return image.status == ImageStatus::kAvailable;
  }
  // Mutation kListOthersDeprecatedImages: shared deprecated images stay listed.
  if (mutation == Mutation::kListOthersDeprecatedImages &&
      image.status == ImageStatus::kDeprecated) {
    return is_shared(image, mutation);
  }
  return is_shared(image, mutation) && image.status == ImageStatus::kAvailable;
}

bool is_visible_by_id(const AccountId& viewer, const Image& image, Mutation mutation) {
  if (is_gone(image)) return false;
  return image.owner == viewer || is_shared(image, mutation);
}

}  // namespace imagelib
