#pragma once
// Character and length rules for every string the API accepts (SPEC §2, §9 "Characters").

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/checked.hpp"

namespace contactd::engine {

//! Which control characters a string may hold.
enum class TextKind {
    kSingleLine,  // names and every other single-line field: no C0 or C1 control at all
    kMultiLine,   // custom text fields: tab, LF and CR allowed; other controls refused
};

//! Checks that `value` is valid UTF-8 with no lone surrogate (a WTF-8 encoded U+D800..U+DFFF, which is
//! how ingest hands over a `\ud800` escape), no NUL, no C1 control (U+0080..U+009F) and no C0 control
//! other than those `kind` allows. Format characters (ZWJ, etc.) and emoji are fine. Returns the length in
//! code points, or INVALID_CHARACTERS with a message naming the character and its code point index,
//! e.g. `contains the control character U+0007 at position 3`.
Checked<std::size_t> CheckCharacters(std::string_view value, TextKind kind);

//! CheckCharacters, then at most `max_code_points` code points, else VALUE_TOO_LONG
//! (`is 256 characters long; the limit is 255`).
Checked<std::size_t> CheckText(std::string_view value, TextKind kind, std::size_t max_code_points);

//! Code points in `value`, counting each invalid byte as one.
std::size_t CountCodePoints(std::string_view value);

//! Appends the UTF-8 bytes of `code_point`. A lone surrogate (U+D800..U+DFFF) takes the three-byte form
//! (WTF-8), which CheckCharacters then reports as invalid UTF-8: JSON "\ud800" escapes are decoded this way.
void AppendUtf8(std::string& out, std::uint32_t code_point);

//! The longest prefix of `value` with at most `max_code_points` code points, never splitting one.
std::string_view PrefixCodePoints(std::string_view value, std::size_t max_code_points);

//! ASCII lower-/upper-casing (only A-Z/a-z change).
std::string AsciiLower(std::string_view value);
std::string AsciiUpper(std::string_view value);

//! `value` without leading and trailing ASCII white space.
std::string_view TrimAsciiSpace(std::string_view value);

}  // namespace contactd::engine
