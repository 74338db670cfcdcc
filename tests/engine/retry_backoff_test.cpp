// The callback retry policy: exact waits without jitter, jitter bounds, the cap, and the give-up rule.
#include "engine/retry_backoff.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <set>

namespace contactd::engine {
namespace {

constexpr Millis kSecond = 1000;
constexpr Millis kMinute = 60 * kSecond;
constexpr Millis kHour = 60 * kMinute;

RetryPolicy WithoutJitter() {
    RetryPolicy policy;
    policy.jitter_percent = 0;
    return policy;
}

TEST(RetryBackoffTest, WaitsDoubleFromOneSecondUpToTenMinutes) {
    const RetryPolicy policy = WithoutJitter();
    const Millis expected[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
    for (int attempt = 1; attempt <= 10; ++attempt) {
        EXPECT_EQ(BackoffDelay(policy, attempt, 0), expected[attempt - 1] * kSecond) << attempt;
    }
    EXPECT_EQ(BackoffDelay(policy, 11, 0), 10 * kMinute) << "1024 s is over the cap";
    EXPECT_EQ(BackoffDelay(policy, 50, 0), 10 * kMinute);
}

TEST(RetryBackoffTest, HugeAttemptNumbersAndCapsDoNotOverflow) {
    RetryPolicy policy = WithoutJitter();
    EXPECT_EQ(BackoffDelay(policy, INT_MAX, 0), 10 * kMinute);
    policy.max_delay_ms = INT64_MAX;
    EXPECT_EQ(BackoffDelay(policy, 54, 0), kSecond << 53);
    EXPECT_EQ(BackoffDelay(policy, 55, 0), INT64_MAX) << "the next doubling would overflow: the cap instead";
    EXPECT_EQ(BackoffDelay(policy, INT_MAX, 0), INT64_MAX);
    policy.jitter_percent = 100;
    EXPECT_GE(BackoffDelay(policy, INT_MAX, 12345), 1);
}

TEST(RetryBackoffTest, AnAttemptNumberBelowOneCountsAsTheFirst) {
    const RetryPolicy policy = WithoutJitter();
    EXPECT_EQ(BackoffDelay(policy, 0, 0), kSecond);
    EXPECT_EQ(BackoffDelay(policy, -5, 0), kSecond);
}

TEST(RetryBackoffTest, DegenerateSettingsStillGiveAPositiveWait) {
    RetryPolicy policy;
    policy.initial_delay_ms = 0;
    policy.max_delay_ms = 0;
    policy.jitter_percent = 100;
    for (std::uint64_t seed = 0; seed < 100; ++seed) EXPECT_EQ(BackoffDelay(policy, 3, seed), 1);
    policy = WithoutJitter();
    policy.initial_delay_ms = 5 * kMinute;
    policy.max_delay_ms = kMinute;
    EXPECT_EQ(BackoffDelay(policy, 1, 0), kMinute) << "the cap wins over a larger initial wait";
}

TEST(RetryBackoffTest, AtTheCapWaitsVaryBetweenHalfTheCapAndTheCap) {
    const RetryPolicy policy;
    for (std::uint64_t seed = 0; seed < 500; ++seed) {
        const Millis wait = BackoffDelay(policy, 40, seed);
        ASSERT_GE(wait, 5 * kMinute) << seed;
        ASSERT_LE(wait, 10 * kMinute) << seed;
    }
}

TEST(RetryBackoffTest, JitterShortensAWaitByAtMostHalfAndSpreadsOverThatRange) {
    const RetryPolicy policy;  // 50 %
    std::set<Millis> seen;
    for (std::uint64_t seed = 0; seed < 2000; ++seed) {
        const Millis wait = BackoffDelay(policy, 4, seed);  // 8 s before jitter
        ASSERT_GE(wait, 4 * kSecond) << seed;
        ASSERT_LE(wait, 8 * kSecond) << seed;
        seen.insert(wait);
    }
    EXPECT_GT(seen.size(), 1000U) << "consecutive seeds must not give the same few waits";
    EXPECT_LT(*seen.begin(), 4 * kSecond + 100);
    EXPECT_GT(*seen.rbegin(), 8 * kSecond - 100);
}

TEST(RetryBackoffTest, EqualSeedsGiveEqualWaits) {
    const RetryPolicy policy;
    for (std::uint64_t seed : {0ULL, 1ULL, 42ULL, ~0ULL}) {
        EXPECT_EQ(BackoffDelay(policy, 7, seed), BackoffDelay(policy, 7, seed));
    }
}

TEST(RetryBackoffTest, WaitsBelowTheCapNeverShrinkFromOneAttemptToTheNextWhateverTheSeeds) {
    const RetryPolicy policy;  // 512 s after attempt 10 is the last wait below the 600 s cap
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        for (int attempt = 1; attempt < 10; ++attempt) {
            ASSERT_LE(BackoffDelay(policy, attempt, seed), BackoffDelay(policy, attempt + 1, ~seed))
                << "attempt " << attempt << ", seed " << seed;
        }
    }
}

TEST(RetryBackoffTest, GivesUpTwentyFourHoursAfterTheFirstTryWasDue) {
    const RetryPolicy policy;
    const Millis first_due = 1767225600000;
    EXPECT_FALSE(ShouldAbandon(policy, 1, first_due, first_due));
    EXPECT_FALSE(ShouldAbandon(policy, 100, first_due, first_due + 24 * kHour - 1));
    EXPECT_TRUE(ShouldAbandon(policy, 100, first_due, first_due + 24 * kHour));
    EXPECT_TRUE(ShouldAbandon(policy, 1, first_due, first_due + 30 * 24 * kHour))
        << "a first attempt made late (the service was down for days) is also the last";
}

TEST(RetryBackoffTest, GivesUpWhenTheAttemptsAreSpent) {
    RetryPolicy policy;
    policy.max_attempts = 5;
    EXPECT_FALSE(ShouldAbandon(policy, 4, 0, 1));
    EXPECT_TRUE(ShouldAbandon(policy, 5, 0, 1));
    EXPECT_TRUE(ShouldAbandon(policy, 6, 0, 1));
}

TEST(RetryBackoffTest, TheDefaultScheduleKeepsTryingForADayBeforeTheAttemptBackstop) {
    // Attempts that fail at once, each retried after the longest (no jitter) or the shortest (full 50 %
    // jitter) wait: the 24 h rule ends both, and the attempt backstop is not reached first.
    for (const bool shortest : {false, true}) {
        const RetryPolicy policy;
        Millis now = 0;
        int attempts = 1;
        while (!ShouldAbandon(policy, attempts, 0, now)) {
            const Millis longest = BackoffDelay(WithoutJitter(), attempts, 0);
            now += shortest ? longest - longest / 2 : longest;
            ++attempts;
        }
        SCOPED_TRACE(shortest ? "shortest waits" : "longest waits");
        EXPECT_GE(now, 24 * kHour);
        EXPECT_LT(now, 24 * kHour + 10 * kMinute);
        EXPECT_LT(attempts, policy.max_attempts);
        EXPECT_GT(attempts, 100);
    }
}

}  // namespace
}  // namespace contactd::engine
