#pragma once
// Dates and timestamps: parsing the three accepted input forms and writing RFC 3339 UTC.

#include <optional>
#include <string>
#include <string_view>

#include "engine/checked.hpp"
#include "engine/contact.hpp"
#include "engine/json.hpp"

namespace contactd::engine {

//! Earliest and latest accepted instants: 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
inline constexpr Millis kMinMillis = -62135596800000;
inline constexpr Millis kMaxMillis = 253402300799999;

//! A date input (SPEC §2, §9): a JSON integer of Unix milliseconds, an RFC 3339 / ISO 8601 string with
//! an offset (`2026-01-01T10:30:00Z`, `2026-01-01T12:30:00.5+02:00`), or a string in the workspace
//! `date_format` (strftime-style; `%Y %m %d %H %M %S %%` and literal characters; a date-only format means
//! midnight UTC). JSON types other than integer/string, and non-integer numbers → INVALID_TYPE. An ISO
//! string without an offset, an impossible date (Feb 30) or anything unparsable → INVALID_FORMAT, with
//! a message naming the accepted forms. Out of [kMinMillis, kMaxMillis] → INVALID_FORMAT.
Checked<Millis> ParseDateInput(const Json& value, const std::optional<std::string>& date_format);

//! Parses an RFC 3339 timestamp with a mandatory offset (`Z` or ±hh:mm); fractions beyond milliseconds
//! are truncated. Used for dates and for search ranges.
Checked<Millis> ParseRfc3339(std::string_view text);

//! Parses `text` in a strftime-style `format` as UTC.
Checked<Millis> ParseWithFormat(std::string_view text, std::string_view format);

//! True when `format` is a usable date format (only the supported conversions, at least %Y %m %d).
bool IsValidDateFormat(std::string_view format);

//! `2026-01-01T10:30:00.000Z`.
std::string FormatTimestamp(Millis millis);

//! Days since 1970-01-01 for a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
long long DaysFromCivil(long long year, unsigned month, unsigned day);

}  // namespace contactd::engine
