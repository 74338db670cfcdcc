#pragma once
// One line of a job's results (NDJSON): `{"index", "ref", "status", "action" | "code", "contact_id",
// "remarks"}`. Members come in a fixed order, so `"status":"OK"` is always at the same place of a line's
// prefix and readers can filter lines without parsing them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/outcome.hpp"

namespace contactd::engine {

//! Appends the line for item `index` (with its `ref`, if any) and a '\n'.
void AppendResultLine(std::string& out, std::int64_t index, const std::optional<std::string>& ref,
                      const Outcome& outcome);

//! The status a result line carries, read from its fixed prefix.
std::optional<Status> ResultLineStatus(std::string_view line);

}  // namespace contactd::engine
