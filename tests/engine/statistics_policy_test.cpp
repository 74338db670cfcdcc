#include "engine/statistics_policy.hpp"

#include <gtest/gtest.h>

namespace contactd::engine {
namespace {

TEST(StatisticsPolicyTest, NewWorkspaceIsDueAtTheFloor) {
    StatisticsPolicy policy(20000, 0.5);
    EXPECT_FALSE(policy.Created("a", 19999));
    EXPECT_TRUE(policy.Created("a", 1));
    EXPECT_TRUE(policy.Due());
}

TEST(StatisticsPolicyTest, GrowthIsRelativeToWhatTheStatisticsSaw) {
    StatisticsPolicy policy(20000, 0.5);
    EXPECT_TRUE(policy.Created("a", 100000));
    policy.Refreshed();
    EXPECT_FALSE(policy.Due());
    EXPECT_FALSE(policy.Created("a", 49999));  // above the floor, below half of 100,000
    EXPECT_TRUE(policy.Created("a", 1));
}

TEST(StatisticsPolicyTest, EachWorkspaceIsJudgedByItsOwnSize) {
    StatisticsPolicy policy(20000, 0.5);
    EXPECT_TRUE(policy.Created("big", 1000000));
    policy.Refreshed();
    // A new tenant is due at the floor although it is a small share of everything created.
    EXPECT_FALSE(policy.Created("big", 400000));
    EXPECT_TRUE(policy.Created("new", 20000));
}

TEST(StatisticsPolicyTest, RefreshCoversEveryWorkspace) {
    StatisticsPolicy policy(20000, 0.5);
    EXPECT_FALSE(policy.Created("a", 15000));
    EXPECT_TRUE(policy.Created("b", 30000));
    policy.Refreshed();
    // "a" was seen at 15,000: it needs 20,000 more (the floor), not 5,000.
    EXPECT_FALSE(policy.Created("a", 19999));
    EXPECT_TRUE(policy.Created("a", 1));
}

TEST(StatisticsPolicyTest, NothingCreatedChangesNothing) {
    StatisticsPolicy policy(1, 0.5);
    EXPECT_FALSE(policy.Created("a", 0));
    EXPECT_FALSE(policy.Created("a", -5));
    EXPECT_FALSE(policy.Due());
}

}  // namespace
}  // namespace contactd::engine
