// The access rules of SPEC §3 "Listing and showing", as pure predicates.
// `mutation` is the Library's (mutation.h); kNone gives the rules as specified.
#pragma once

#include "reference/library/model.h"
#include "reference/library/mutation.h"

namespace imagelib {

// Whether `viewer`'s image listing includes `image`: every image it owns
// except deleted ones; official and others' public images while available.
bool is_listed_for(const AccountId& viewer, const Image& image,
                   Mutation mutation = Mutation::kNone);

// Whether `viewer` can see `image` by id (show, build a server): its own
// non-deleted images, and official or public images of others (deprecated
// ones included) unless deleted. Another account's private image is
// invisible, exactly like an id that never existed.
bool is_visible_by_id(const AccountId& viewer, const Image& image,
                      Mutation mutation = Mutation::kNone);

}  // namespace imagelib
