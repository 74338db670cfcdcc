#include "engine/uuid.hpp"

#include <gtest/gtest.h>

namespace contactd::engine {
namespace {

TEST(CanonicalUuid, KeepsACanonicalLowerCaseUuid) {
    EXPECT_EQ(CanonicalUuid("123e4567-e89b-12d3-a456-426614174000"), "123e4567-e89b-12d3-a456-426614174000");
}

TEST(CanonicalUuid, LowerCasesUpperAndMixedCaseHexDigits) {
    EXPECT_EQ(CanonicalUuid("123E4567-E89B-12D3-A456-426614174ABC"), "123e4567-e89b-12d3-a456-426614174abc");
    EXPECT_EQ(CanonicalUuid("aBcDeF01-2345-6789-AbCd-Ef0123456789"), "abcdef01-2345-6789-abcd-ef0123456789");
}

TEST(CanonicalUuid, AcceptsTheNilUuidAndAnyVersion) {
    EXPECT_EQ(CanonicalUuid("00000000-0000-0000-0000-000000000000"), "00000000-0000-0000-0000-000000000000");
    EXPECT_TRUE(CanonicalUuid("ffffffff-ffff-ffff-ffff-ffffffffffff").has_value());
}

TEST(CanonicalUuid, RefusesWrongLengths) {
    EXPECT_FALSE(CanonicalUuid("").has_value());
    EXPECT_FALSE(CanonicalUuid("123e4567-e89b-12d3-a456-42661417400").has_value());
    EXPECT_FALSE(CanonicalUuid("123e4567-e89b-12d3-a456-4266141740000").has_value());
}

TEST(CanonicalUuid, RefusesFormsOtherThan8_4_4_4_12) {
    EXPECT_FALSE(CanonicalUuid("123e4567e89b12d3a456426614174000").has_value());  // no dashes
    EXPECT_FALSE(CanonicalUuid("{123e4567-e89b-12d3-a456-426614174000}").has_value());
    EXPECT_FALSE(CanonicalUuid("urn:uuid:123e4567-e89b-12d3-a456-426614174000").has_value());
    EXPECT_FALSE(CanonicalUuid("123e4567e-89b-12d3-a456-426614174000").has_value());  // dash moved
    EXPECT_FALSE(CanonicalUuid("123e4567-e89b-12d3-a456_426614174000").has_value());
}

TEST(CanonicalUuid, RefusesNonHexCharacters) {
    EXPECT_FALSE(CanonicalUuid("123e4567-e89b-12d3-a456-42661417400g").has_value());
    EXPECT_FALSE(CanonicalUuid("123e4567-e89b-12d3-a456-42661417400 ").has_value());
    EXPECT_FALSE(CanonicalUuid("-23e4567-e89b-12d3-a456-426614174000").has_value());
}

TEST(FormatUuid, WritesLowerCase8_4_4_4_12) {
    const std::array<std::uint8_t, 16> bytes = {0x12, 0x3E, 0x45, 0x67, 0xE8, 0x9B, 0x12, 0xD3,
                                                0xA4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0xFF};
    EXPECT_EQ(FormatUuid(bytes), "123e4567-e89b-12d3-a456-4266141740ff");
}

TEST(FormatUuid, WritesTheNilUuid) { EXPECT_EQ(FormatUuid({}), "00000000-0000-0000-0000-000000000000"); }

TEST(FormatUuid, ProducesTextThatCanonicalUuidKeeps) {
    std::array<std::uint8_t, 16> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 17 + 3);
    const std::string text = FormatUuid(bytes);
    EXPECT_EQ(CanonicalUuid(text), text);
}

}  // namespace
}  // namespace contactd::engine
