// The fair scheduler under a manual clock: turns, newcomers first, budgets, deferral.
#include "engine/scheduler.hpp"

#include <gtest/gtest.h>

namespace contactd::engine {
namespace {

constexpr std::int32_t kFast = 1000000;

TEST(FairSchedulerTest, ServesRunnableWorkspacesInTurn) {
    FairScheduler scheduler;
    scheduler.SetRunnable({{"a", kFast}, {"b", kFast}, {"c", kFast}}, 0);
    std::vector<std::string> order;
    for (Millis t = 1; t <= 6; ++t) {
        const auto next = scheduler.Next(t);
        ASSERT_TRUE(next.has_value());
        order.push_back(*next);
        scheduler.Release(*next, true, t);
    }
    EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "a", "b", "c"}));
}

TEST(FairSchedulerTest, ABusyWorkspaceIsNeverHandedToASecondWorker) {
    FairScheduler scheduler;
    scheduler.SetRunnable({{"big", kFast}}, 0);
    EXPECT_EQ(scheduler.Next(1), "big");
    EXPECT_TRUE(scheduler.IsBusy("big"));
    EXPECT_FALSE(scheduler.Next(2).has_value()) << "its items must stay in order";
    scheduler.Release("big", true, 3);
    EXPECT_EQ(scheduler.Next(4), "big");
}

TEST(FairSchedulerTest, AWorkerKeepsItsWorkspaceOnlyWhileNoOtherIsWaiting) {
    FairScheduler scheduler(1000);
    scheduler.SetRunnable({{"big", kFast}}, 0);
    ASSERT_EQ(scheduler.Next(1), "big");
    EXPECT_FALSE(scheduler.HasWaiting(2)) << "the only workspace is the one being served";
    scheduler.MarkRunnable({"slow", 100}, 3);
    EXPECT_TRUE(scheduler.HasWaiting(3));
    ASSERT_EQ(scheduler.Next(3), "slow");
    ASSERT_TRUE(scheduler.TakeBudget("slow", 1000, 3));
    scheduler.Release("slow", true, 4);
    EXPECT_FALSE(scheduler.HasWaiting(5)) << "slow is out of budget";
    EXPECT_TRUE(scheduler.HasWaiting(10003)) << "its bucket refilled";
    scheduler.Defer("slow", 20000);
    EXPECT_FALSE(scheduler.HasWaiting(10004)) << "deferred";
}

TEST(FairSchedulerTest, AWorkspaceThatJustGotWorkGoesAheadOfThoseBeingServed) {
    FairScheduler scheduler;
    scheduler.SetRunnable({{"a", kFast}, {"b", kFast}}, 0);
    for (Millis t = 1; t <= 4; ++t) scheduler.Release(*scheduler.Next(t), true, t);
    scheduler.MarkRunnable({"small", kFast}, 5);
    EXPECT_EQ(scheduler.Next(6), "small");
}

TEST(FairSchedulerTest, AWorkspaceOutOfBudgetWaitsForItsBucket) {
    FairScheduler scheduler(1000);
    scheduler.SetRunnable({{"a-slow", 100}, {"b-fast", kFast}}, 0);  // slow: 100 items/s, a step is 1000
    ASSERT_EQ(scheduler.Next(0), "a-slow");
    EXPECT_TRUE(scheduler.TakeBudget("a-slow", 1000, 0));
    EXPECT_FALSE(scheduler.TakeBudget("a-slow", 1, 0));
    scheduler.Release("a-slow", true, 0);
    EXPECT_EQ(scheduler.Next(1), "b-fast") << "a-slow has no budget left";
    scheduler.Release("b-fast", false, 1);
    EXPECT_FALSE(scheduler.Next(2).has_value());
    EXPECT_EQ(scheduler.NextEligibleAt(2), 10000) << "1000 items at 100 per second";
    EXPECT_FALSE(scheduler.Next(9999).has_value());
    EXPECT_EQ(scheduler.Next(10000), "a-slow");
}

TEST(FairSchedulerTest, BudgetNotUsedIsReturned) {
    FairScheduler scheduler(1000);
    scheduler.SetRunnable({{"w", 1000}}, 0);
    ASSERT_TRUE(scheduler.TakeBudget("w", 1000, 0));
    scheduler.ReturnBudget("w", 950);  // the step applied only 50 items
    EXPECT_TRUE(scheduler.TakeBudget("w", 950, 0));
    EXPECT_FALSE(scheduler.TakeBudget("w", 1, 0));
}

TEST(FairSchedulerTest, ADeferredWorkspaceIsSkippedUntilItsTime) {
    FairScheduler scheduler;
    scheduler.SetRunnable({{"elsewhere", kFast}}, 0);
    scheduler.Defer("elsewhere", 500);
    EXPECT_FALSE(scheduler.Next(100).has_value());
    EXPECT_EQ(scheduler.NextEligibleAt(100), 500);
    EXPECT_EQ(scheduler.Next(500), "elsewhere");
}

TEST(FairSchedulerTest, WorkspacesWithoutWorkAreForgotten) {
    FairScheduler scheduler;
    scheduler.SetRunnable({{"a", kFast}, {"b", kFast}}, 0);
    ASSERT_EQ(scheduler.Next(1), "a");
    scheduler.Release("a", false, 2);
    scheduler.SetRunnable({{"b", kFast}}, 3);
    EXPECT_EQ(scheduler.Next(4), "b");
    EXPECT_FALSE(scheduler.Next(5).has_value());
    EXPECT_FALSE(scheduler.NextEligibleAt(5).has_value());
}

TEST(FairSchedulerTest, ABusyWorkspaceSurvivesARefreshThatNoLongerListsIt) {
    FairScheduler scheduler;
    scheduler.SetRunnable({{"a", kFast}}, 0);
    ASSERT_EQ(scheduler.Next(1), "a");
    scheduler.SetRunnable({}, 2);
    EXPECT_TRUE(scheduler.IsBusy("a"));
}

TEST(TokenBucketTest, RefundPutsBackWithinCapacity) {
    TokenBucket bucket(10, 1, 0);
    ASSERT_TRUE(bucket.TryTake(10, 0));
    bucket.Refund(4);
    EXPECT_DOUBLE_EQ(bucket.Available(0), 4);
    bucket.Refund(100);
    EXPECT_DOUBLE_EQ(bucket.Available(0), 10);
}

}  // namespace
}  // namespace contactd::engine
