#pragma once
// External reference URLs: absolute http(s) only.

#include <string>
#include <string_view>

#include "engine/checked.hpp"

namespace contactd::engine {

inline constexpr std::size_t kUrlMaxLength = 2048;

//! Accepts an absolute `http://` or `https://` URL (scheme case-insensitive) with a non-empty host,
//! optional port (1..65535), path, query and fragment; no white space or control characters. Returns it
//! unchanged (scheme lower-cased). Over 2,048 characters → VALUE_TOO_LONG; otherwise INVALID_FORMAT.
Checked<std::string> CheckHttpUrl(std::string_view input);

}  // namespace contactd::engine
