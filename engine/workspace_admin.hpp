#pragma once
// Rules for workspace settings written by administrators (`POST`/`PATCH /v1/admin/workspaces`, and the
// same from the command line): every member checked, every problem reported at once.

#include <string>
#include <vector>

#include "engine/json.hpp"
#include "engine/outcome.hpp"
#include "engine/workspace_settings.hpp"

namespace contactd::engine {

//! The lead stages of a new workspace that names none.
std::vector<std::string> DefaultLeadStages();

//! The settings after an admin body, or every reason it was refused.
struct WorkspaceEdit {
    WorkspaceSettings settings;
    std::vector<Remark> errors;  // empty when the body was accepted
    bool ok() const { return errors.empty(); }
};

//! A new workspace from a create body: `id` required (1-64 of A-Z a-z 0-9 _ -); `name`,
//! `identifier_field`, `default_country`, `date_format`, `lead_stages`, `custom_fields` (default: the
//! standard layout), `requests_per_minute`, `items_per_second` and `suspended` optional.
WorkspaceEdit NewWorkspaceSettings(const Json& body);

//! `current` changed by a PATCH body: the same members except `id`. `custom_fields` replaces the list,
//! but a slug keeps its type (changing it would strand stored values). Whether `identifier_field` may
//! change depends on stored contacts, which the caller checks.
WorkspaceEdit EditWorkspaceSettings(const WorkspaceSettings& current, const Json& body);

}  // namespace contactd::engine
