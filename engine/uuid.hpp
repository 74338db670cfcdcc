#pragma once
// UUID text handling. Generation needs randomness and a clock, so it lives outside the engine.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace contactd::engine {

//! The canonical lower-case 8-4-4-4-12 form of `text`, if it is a UUID (hex digits in either case).
std::optional<std::string> CanonicalUuid(std::string_view text);

//! The 8-4-4-4-12 lower-case text of 16 bytes.
std::string FormatUuid(const std::array<std::uint8_t, 16>& bytes);

}  // namespace contactd::engine
