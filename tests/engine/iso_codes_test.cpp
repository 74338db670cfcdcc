#include "engine/iso_codes.hpp"

#include <gtest/gtest.h>

namespace contactd::engine {
namespace {

TEST(IsCountryCode, AcceptsAssignedUpperCaseCodes) {
    for (const char* code : {"DE", "US", "GB", "FR", "JP", "BR", "IN", "NP", "CW", "SS"}) {
        EXPECT_TRUE(IsCountryCode(code)) << code;
    }
}

TEST(IsCountryCode, FindsTheFirstAndLastEntriesOfTheSortedTable) {
    EXPECT_TRUE(IsCountryCode("AD"));
    EXPECT_TRUE(IsCountryCode("ZW"));
    EXPECT_FALSE(IsCountryCode("AA"));  // sorts before the first entry
    EXPECT_FALSE(IsCountryCode("ZZ"));  // sorts after the last entry
}

TEST(IsCountryCode, RefusesLowerOrMixedCaseBecauseTheCallerUpperCases) {
    EXPECT_FALSE(IsCountryCode("de"));
    EXPECT_FALSE(IsCountryCode("De"));
}

TEST(IsCountryCode, RefusesUnassignedAndReservedCodes) {
    for (const char* code : {"UK", "EU", "XX", "QZ", "YU", "AN"}) EXPECT_FALSE(IsCountryCode(code)) << code;
}

TEST(IsCountryCode, RefusesWrongLengths) {
    for (const char* code : {"", "D", "DEU", "USA", "DE "}) EXPECT_FALSE(IsCountryCode(code)) << code;
}

TEST(IsLanguageCode, AcceptsIso6391LowerCaseCodes) {
    for (const char* code : {"en", "de", "es", "zh", "pt", "hi", "ar", "sw", "aa", "zu"}) {
        EXPECT_TRUE(IsLanguageCode(code)) << code;
    }
}

TEST(IsLanguageCode, RefusesUpperCaseThreeLetterAndUnknownCodes) {
    for (const char* code : {"EN", "En", "eng", "deu", "xx", "qq", "", "e", "zz"}) {
        EXPECT_FALSE(IsLanguageCode(code)) << code;
    }
}

}  // namespace
}  // namespace contactd::engine
