#pragma once
// JSON output of contacts, remarks and outcomes: the one place that decides how they look on the wire.

#include <string>
#include <vector>

#include "engine/apply.hpp"
#include "engine/contact.hpp"
#include "engine/json_writer.hpp"
#include "engine/outcome.hpp"
#include "engine/workspace_settings.hpp"

namespace contactd::engine {

//! Writes the contact's members (no braces): system fields, every field of the catalog, the shorthands
//! `email`/`phone` (the primaries), and `custom_fields` with every declared slug (null when empty; dates
//! as RFC 3339 UTC). The caller opens and closes the object, so it can add members of its own.
void WriteContactMembers(JsonWriter& writer, const Contact& contact, const WorkspaceSettings& settings);

//! The contact as one JSON object.
std::string ContactJson(const Contact& contact, const WorkspaceSettings& settings);

//! `[{"field", "code", "message"}, ...]` as the value of the current key.
void WriteRemarks(JsonWriter& writer, const std::vector<Remark>& remarks);

//! A custom field value as JSON (dates as RFC 3339 UTC with milliseconds).
void WriteCustomValue(JsonWriter& writer, const CustomValue& value);

}  // namespace contactd::engine
