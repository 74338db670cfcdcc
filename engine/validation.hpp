#pragma once
// Turns a request body or batch item into a ContactWrite: every field rule of SPEC §2 and §9. A bad
// field becomes a remark and is dropped; only an item that is not a usable object fails as a whole.

#include "engine/checked.hpp"
#include "engine/contact_write.hpp"
#include "engine/json.hpp"
#include "engine/workspace_settings.hpp"

namespace contactd::engine {

//! Where the write comes from, which decides what `id`, `ref` and `expected_version` mean.
struct ValidationOptions {
    //! Batch items may carry `ref` and `expected_version`, and `id` selects the contact (except in create
    //! mode, where it is READ_ONLY_FIELD). In single-contact bodies all three are ordinary names: `id` is
    //! READ_ONLY_FIELD, the others UNKNOWN_FIELD.
    bool batch_item = false;
    WriteMode mode = WriteMode::kUpsert;
};

//! Validates `body` against the workspace's rules. Returns INVALID_ITEM when the body is not an object or
//! an item control (`id`, `ref`, `expected_version`) is malformed; otherwise a ContactWrite whose
//! remarks list every dropped field.
Checked<ContactWrite> ValidateWrite(const Json& body, const WorkspaceSettings& settings,
                                    const ValidationOptions& options);

}  // namespace contactd::engine
