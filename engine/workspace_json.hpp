#pragma once
// JSON output of workspace settings and of the field catalog (`GET /v1/workspace`, `/v1/fields`, admin).

#include "engine/json_writer.hpp"
#include "engine/workspace_settings.hpp"

namespace contactd::engine {

//! The settings' members (no braces): id, name, identifier_field, default_country, date_format,
//! lead_stages, custom_fields, requests_per_minute, items_per_second, suspended.
void WriteWorkspaceMembers(JsonWriter& writer, const WorkspaceSettings& settings);

//! `{"fields": [...], "custom_fields": [...]}`: every contact field with its type, limits and whether it
//! is writable, then the workspace's custom fields.
std::string FieldCatalogJson(const WorkspaceSettings& settings);

}  // namespace contactd::engine
