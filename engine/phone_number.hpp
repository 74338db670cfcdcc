#pragma once
// Phone numbers through libphonenumber: normalised to E.164, validated against real numbering plans.
// The library stays private to phone_number.cpp; nothing else in the engine sees it.

#include <optional>
#include <string>
#include <string_view>

#include "engine/checked.hpp"

namespace contactd::engine {

//! Normalises `input` to E.164 (`+14155550123`). A number written with its `+country` prefix may contain
//! spaces, dashes, dots and brackets. One without a prefix is read in `default_country` (ISO 3166-1
//! alpha-2), and without a default country it is INVALID_FORMAT (`has no +country prefix and the
//! workspace has no default_country`). Numbers that cannot be parsed, or cannot exist (libphonenumber's
//! IsValidNumber is false), are INVALID_FORMAT. Letters, controls or over 64 characters are refused
//! before parsing. Thread-safe.
Checked<std::string> NormalizePhoneNumber(std::string_view input, const std::optional<std::string>& default_country);

}  // namespace contactd::engine
