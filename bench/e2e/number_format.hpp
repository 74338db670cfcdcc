#pragma once
// Numbers as the results page and the chart print them.

#include <cstdint>
#include <string>

namespace contactd::bench::e2e {

//! 1234567 → "1,234,567".
std::string Grouped(std::int64_t value);
//! A fixed number of decimals: Fixed(3.14159, 2) → "3.14".
std::string Fixed(double value, int decimals);
//! Bytes in MB (10^6 bytes), one decimal.
std::string Megabytes(std::uint64_t bytes);
//! "4 min 12 s", "38.2 s".
std::string Duration(double seconds);
//! a / b with two decimals, or "–" when either is missing.
std::string Ratio(double a, double b);

}  // namespace contactd::bench::e2e
