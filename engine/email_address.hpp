#pragma once
// E-mail address syntax: a small, strict checker (not a full RFC 5322 parser, on purpose).

#include <string>
#include <string_view>

#include "engine/checked.hpp"

namespace contactd::engine {

inline constexpr std::size_t kEmailMaxLength = 254;

//! Validates an address and returns it lower-cased. Accepts `local@domain` where local is dot-atom text
//! (letters, digits and !#$%&'*+/=?^_`{|}~- with single dots, not leading/trailing), at most 64 octets;
//! domain is two or more dot-separated labels of letters, digits and hyphens (no leading/trailing hyphen,
//! each ≤ 63 octets), with an alphabetic or `xn--` top-level label. Internationalised (UTF-8) local parts
//! and domains are accepted when every non-ASCII character is a letter-like code point ≥ U+00A0 (no
//! controls, no spaces). Over 254 characters → VALUE_TOO_LONG; anything else → INVALID_FORMAT with a
//! message that says what is wrong (`has no "@"`, `domain "x" has no dot`, ...). Bad characters (controls,
//! invalid UTF-8) → INVALID_CHARACTERS.
Checked<std::string> NormalizeEmailAddress(std::string_view input);

}  // namespace contactd::engine
