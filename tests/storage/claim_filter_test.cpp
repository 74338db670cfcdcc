// The claim filter on its own: what it must never get wrong (a value it was given), how often it may be
// wrong the harmless way, and its memory.
#include "storage/claim_filter.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace contactd::testing {
namespace {

using engine::UniqueKind;
using storage::ClaimFilter;
using storage::FilterBudget;

std::shared_ptr<FilterBudget> Budget(std::int64_t bytes = std::int64_t{64} << 20) {
    return std::make_shared<FilterBudget>(bytes);
}

std::string Email(int i) { return "person." + std::to_string(i) + "@example.org"; }

TEST(ClaimFilterTest, SaysMaybeToEverythingUntilLoaded) {
    ClaimFilter filter(1024, Budget());
    EXPECT_TRUE(filter.MayHold(UniqueKind::kEmail, "never@added.io"));
    filter.MarkLoaded();
    EXPECT_FALSE(filter.MayHold(UniqueKind::kEmail, "never@added.io"));
}

TEST(ClaimFilterTest, NeverForgetsAValueItWasGivenAsItGrows) {
    ClaimFilter filter(1024, Budget());  // 300,000 values: several layers
    for (int i = 0; i < 300000; ++i) filter.Add(UniqueKind::kEmail, Email(i));
    filter.MarkLoaded();
    int missing = 0;
    for (int i = 0; i < 300000; ++i) missing += filter.MayHold(UniqueKind::kEmail, Email(i)) ? 0 : 1;
    EXPECT_EQ(missing, 0);
    EXPECT_GT(filter.bytes(), ClaimFilter(1024, Budget()).bytes() * 16) << "it grew";
}

TEST(ClaimFilterTest, RarelySaysMaybeForAValueItWasNeverGiven) {
    ClaimFilter filter(1 << 16, Budget());
    for (int i = 0; i < 200000; ++i) filter.Add(UniqueKind::kPhone, "+1650" + std::to_string(1000000 + i));
    filter.MarkLoaded();
    int maybe = 0;
    constexpr int kTries = 100000;
    for (int i = 0; i < kTries; ++i) maybe += filter.MayHold(UniqueKind::kPhone, "+1415" + std::to_string(i)) ? 1 : 0;
    EXPECT_LT(maybe, kTries * 4 / 100) << "false positives: " << maybe;
    // The kind is part of the value: the same text under another kind was never given either.
    int other_kind = 0;
    for (int i = 0; i < 10000; ++i) {
        other_kind += filter.MayHold(UniqueKind::kWhatsapp, "+1650" + std::to_string(1000000 + i)) ? 1 : 0;
    }
    EXPECT_LT(other_kind, 400);
}

TEST(ClaimFilterTest, StopsGrowingWhenTheBudgetIsSpentButForgetsNothing) {
    const auto budget = Budget(64 << 10);  // room for the first layer and little more
    ClaimFilter filter(1024, budget);
    for (int i = 0; i < 100000; ++i) filter.Add(UniqueKind::kEmail, Email(i));
    filter.MarkLoaded();
    EXPECT_LE(filter.bytes(), std::size_t{64} << 10);
    EXPECT_GE(budget->load(), 0);
    for (int i = 0; i < 100000; i += 7) ASSERT_TRUE(filter.MayHold(UniqueKind::kEmail, Email(i))) << i;
}

TEST(ClaimFilterTest, GivesItsMemoryBackToTheBudget) {
    const auto budget = Budget();
    const std::int64_t before = budget->load();
    {
        ClaimFilter filter(1024, budget);
        for (int i = 0; i < 50000; ++i) filter.Add(UniqueKind::kEmail, Email(i));
        EXPECT_EQ(before - budget->load(), static_cast<std::int64_t>(filter.bytes()));
    }
    EXPECT_EQ(budget->load(), before);
}

}  // namespace
}  // namespace contactd::testing
