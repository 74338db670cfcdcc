#include "engine/iso_codes.hpp"

#include <algorithm>
#include <cstddef>

namespace contactd::engine {

namespace iso_data {
// Generated at build time (cmake/generate_iso_codes.cmake), sorted ascending.
extern const std::string_view kCountryCodes[];
extern const std::size_t kCountryCodesSize;
extern const std::string_view kLanguageCodes[];
extern const std::size_t kLanguageCodesSize;
}  // namespace iso_data

namespace {

bool InSortedTable(const std::string_view* table, std::size_t size, std::string_view code) {
    return std::binary_search(table, table + size, code);
}

}  // namespace

bool IsCountryCode(std::string_view upper_alpha2) {
    return upper_alpha2.size() == 2 &&
           InSortedTable(iso_data::kCountryCodes, iso_data::kCountryCodesSize, upper_alpha2);
}

bool IsLanguageCode(std::string_view lower_alpha2) {
    return lower_alpha2.size() == 2 &&
           InSortedTable(iso_data::kLanguageCodes, iso_data::kLanguageCodesSize, lower_alpha2);
}

}  // namespace contactd::engine
