#include "reference/library/visibility.h"

namespace imagelib {
namespace {

bool is_gone(const Image& image) {
  return image.status == ImageStatus::kDeleted || image.status == ImageStatus::kDeleting;
}

bool is_shared(const Image& image) { return image.official || image.is_public; }

}  // namespace

bool is_listed_for(const AccountId& viewer, const Image& image) {
  if (image.owner == viewer) return !is_gone(image);
  return is_shared(image) && image.status == ImageStatus::kAvailable;
}

bool is_visible_by_id(const AccountId& viewer, const Image& image) {
  if (is_gone(image)) return false;
  return image.owner == viewer || is_shared(image);
}

}  // namespace imagelib
