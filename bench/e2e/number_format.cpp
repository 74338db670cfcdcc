#include "bench/e2e/number_format.hpp"

#include <cmath>
#include <cstdio>

namespace contactd::bench::e2e {

std::string Grouped(std::int64_t value) {
    // Built forward with push_back: GCC 12 misreads string::insert here as an overlapping copy (-Wrestrict).
    const std::string digits = std::to_string(value < 0 ? -value : value);
    std::string grouped;
    if (value < 0) grouped.push_back('-');
    for (std::size_t index = 0; index < digits.size(); ++index) {
        if (index > 0 && (digits.size() - index) % 3 == 0) grouped.push_back(',');
        grouped.push_back(digits[index]);
    }
    return grouped;
}

std::string Fixed(double value, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

std::string Megabytes(std::uint64_t bytes) { return Fixed(static_cast<double>(bytes) / 1e6, 1) + " MB"; }

std::string Duration(double seconds) {
    if (seconds < 60) return Fixed(seconds, 1) + " s";
    const auto whole = static_cast<std::int64_t>(std::llround(seconds));
    return std::to_string(whole / 60) + " min " + std::to_string(whole % 60) + " s";
}

std::string Ratio(double a, double b) { return a > 0 && b > 0 ? Fixed(a / b, 2) : "–"; }

}  // namespace contactd::bench::e2e
