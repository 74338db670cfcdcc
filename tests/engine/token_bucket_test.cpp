// The token bucket under a manual clock: exact, no sleeping.
#include "engine/token_bucket.hpp"

#include <gtest/gtest.h>

namespace contactd::engine {
namespace {

TEST(TokenBucketTest, StartsFullAndRefusesWhenEmpty) {
    TokenBucket bucket(600, 10, 0);  // 600 per minute
    for (int i = 0; i < 600; ++i) ASSERT_TRUE(bucket.TryTake(1, 0)) << i;
    EXPECT_FALSE(bucket.TryTake(1, 0));
}

TEST(TokenBucketTest, RefillsEvenlyOverTime) {
    TokenBucket bucket(600, 10, 0);
    ASSERT_TRUE(bucket.TryTake(600, 0));
    EXPECT_FALSE(bucket.TryTake(1, 99));
    EXPECT_TRUE(bucket.TryTake(1, 100));  // 10 per second: one token per 100 ms
    EXPECT_FALSE(bucket.TryTake(1, 150));
    EXPECT_DOUBLE_EQ(bucket.Available(1150), 10.5);
}

TEST(TokenBucketTest, NeverHoldsMoreThanItsCapacity) {
    TokenBucket bucket(5, 1000, 0);
    EXPECT_DOUBLE_EQ(bucket.Available(1000000), 5);
}

TEST(TokenBucketTest, ReportsTheWaitUntilTokensAndUntilFull) {
    TokenBucket bucket(60, 1, 0);
    ASSERT_TRUE(bucket.TryTake(60, 0));
    EXPECT_EQ(bucket.MillisUntilAvailable(1, 0), 1000);
    EXPECT_EQ(bucket.MillisUntilAvailable(1, 400), 600);
    EXPECT_EQ(bucket.MillisUntilFull(30000), 30000);
    EXPECT_EQ(bucket.MillisUntilAvailable(1, 5000), 0);
}

TEST(TokenBucketTest, TakeUpToGrantsWhatIsThere) {
    TokenBucket bucket(100, 100, 0);
    EXPECT_EQ(bucket.TakeUpTo(30, 0), 30);
    EXPECT_EQ(bucket.TakeUpTo(500, 0), 70);
    EXPECT_EQ(bucket.TakeUpTo(10, 0), 0);
    EXPECT_EQ(bucket.TakeUpTo(10, 50), 5);
}

TEST(TokenBucketTest, AClockSteppingBackNeitherDrainsNorFills) {
    TokenBucket bucket(10, 1, 1000);
    ASSERT_TRUE(bucket.TryTake(10, 1000));
    EXPECT_DOUBLE_EQ(bucket.Available(500), 0);
    EXPECT_DOUBLE_EQ(bucket.Available(2000), 1);
}

TEST(TokenBucketTest, ReconfigureKeepsEarnedTokensWithinTheNewCapacity) {
    TokenBucket bucket(100, 10, 0);
    bucket.Reconfigure(20, 1, 0);
    EXPECT_DOUBLE_EQ(bucket.Available(0), 20);
    ASSERT_TRUE(bucket.TryTake(20, 0));
    EXPECT_EQ(bucket.MillisUntilAvailable(1, 0), 1000);
}

}  // namespace
}  // namespace contactd::engine
