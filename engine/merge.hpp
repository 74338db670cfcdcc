#pragma once
// Merging one contact into another (SPEC §5 merge, §9 "Merge").

#include <optional>
#include <string>
#include <vector>

#include "engine/contact.hpp"
#include "engine/outcome.hpp"
#include "engine/workspace_settings.hpp"

namespace contactd::engine {

//! The merged target, or the remark that refused the merge.
struct MergeResult {
    std::optional<Remark> refused;  // TOO_MANY_VALUES when a union is over its field's limit
    Contact merged;                 // the target after the merge (valid when not refused)
    std::vector<std::string> changed_fields;
    bool changed = false;  // false when the source added nothing: no version bump
};

//! Merges `source` into `target`: e-mails, phones, tags and locations are unioned (target's values first);
//! whatsapp and external_reference_id keep the target's if set, else take the source's; every other
//! field, custom fields included, keeps the target's non-null value and fills its nulls from the source.
//! The target's identifier stays; a target without one takes the value its identifier field now holds.
//! The caller has resolved aliases and refused a merge of a contact into itself (INVALID_MERGE).
MergeResult MergeContacts(const Contact& target, const Contact& source, const WorkspaceSettings& settings, Millis now);

}  // namespace contactd::engine
