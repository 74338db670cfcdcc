#pragma once
// Percent-decoding of request-target parts (RFC 3986 §2.1), and query strings split into parameters.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace contactd::ingest {

//! Decodes `%XX` escapes; with `plus_is_space` (query strings, form style) '+' becomes ' '. Returns
//! nullopt when a '%' is not followed by two hex digits. Decoded bytes are not checked for UTF-8: the
//! handler that reads a value validates it like any other input.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

//! Splits `a=1&b=&c` into decoded pairs {("a","1"),("b",""),("c","")}, in order; empty pieces (`a=1&&b=2`)
//! are skipped. Returns nullopt when any part has a bad escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQueryString(std::string_view raw_query);

}  // namespace contactd::ingest
