// The claim filters' registry against real PostgreSQL: a workspace's filter is loaded from its claims, page
// by page, and the memory budget is respected.
#include "storage/claim_filter.hpp"

#include <chrono>
#include <thread>

#include "tests/storage/storage_fixtures.hpp"

namespace contactd::testing {
namespace {

using engine::UniqueKind;

class ClaimFiltersTest : public StorageTest {
  protected:
    static bool WaitLoaded(const storage::ClaimFilter& filter) {
        for (int i = 0; i < 500 && !filter.loaded(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return filter.loaded();
    }
};

// Six contacts hold twelve claims: with pages of three the scan reads four full pages and an empty one.
TEST_F(ClaimFiltersTest, AFilterIsLoadedFromEveryClaimOfItsWorkspace) {
    for (int i = 0; i < 6; ++i) {
        const std::string n = std::to_string(i);
        ASSERT_TRUE(CommitOne(R"({"phone": "+1650253000)" + n + R"(", "email": "p)" + n + R"(@x.io"})").outcome.ok());
    }
    ASSERT_EQ(Count("SELECT count(*) FROM contact_keys WHERE workspace_id = $1"), 12);
    storage::ClaimFilters filters(pool_, storage::ClaimFilters::kDefaultBudgetBytes, /*scan_page=*/3);
    const auto filter = filters.For(settings_.id);
    ASSERT_NE(filter, nullptr);
    EXPECT_EQ(filters.For(settings_.id), filter) << "one filter per workspace";
    ASSERT_TRUE(WaitLoaded(*filter));
    for (int i = 0; i < 6; ++i) {
        const std::string n = std::to_string(i);
        EXPECT_TRUE(filter->MayHold(UniqueKind::kPhone, "+1650253000" + n)) << n;
        EXPECT_TRUE(filter->MayHold(UniqueKind::kEmail, "p" + n + "@x.io")) << n;
    }
    int unseen = 0;
    for (int i = 0; i < 100; ++i) unseen += filter->MayHold(UniqueKind::kEmail, "q" + std::to_string(i) + "@x.io");
    EXPECT_LT(unseen, 5) << "values nobody holds are (mostly) known to be free";
}

TEST_F(ClaimFiltersTest, AWorkspaceTheBudgetHasNoRoomForGetsNoFilter) {
    storage::ClaimFilters filters(pool_, /*budget_bytes=*/1024);
    EXPECT_EQ(filters.For(settings_.id), nullptr);
}

}  // namespace
}  // namespace contactd::testing
