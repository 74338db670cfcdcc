#pragma once
// Country and language codes, generated at build time from the Debian `iso-codes` data.

#include <string_view>

namespace contactd::engine {

//! True for an assigned ISO 3166-1 alpha-2 code, given in upper case ("DE").
bool IsCountryCode(std::string_view upper_alpha2);

//! True for an ISO 639-1 code, given in lower case ("de").
bool IsLanguageCode(std::string_view lower_alpha2);

}  // namespace contactd::engine
