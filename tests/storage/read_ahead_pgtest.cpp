// Reading a chunk's contacts ahead, before the chunk before it commits: the read is brought up to date
// with what that chunk committed, and the prefetcher uses it only when the chunk it did not see is the
// one that committed last.
#include <pqxx/pqxx>

#include <chrono>
#include <thread>

#include "storage/chunk_codec.hpp"
#include "storage/chunk_preparation.hpp"
#include "storage/commit_path.hpp"
#include "tests/storage/storage_fixtures.hpp"

namespace contactd::testing {
namespace {

using engine::Action;

storage::ChunkToPrepare ChunkOf(const std::string& job_id, std::int32_t chunk_no,
                                const std::vector<std::string>& items) {
    storage::ChunkEncoder encoder;
    for (const std::string& item : items) encoder.Add(storage::ChunkItemKind::kJson, 0, item);
    return {job_id, chunk_no, encoder.buffer(), engine::WriteOptions{}};
}

class ReadAheadTest : public StorageTest {
  protected:
    std::vector<storage::CommitItem> Run(const std::vector<std::string>& items) {
        std::vector<storage::CommitItem> run;
        for (const std::string& json : items) run.push_back({Item(json), std::nullopt});
        return run;
    }

    storage::CommitRequest Request() const { return {settings_, {}, kTestNow, /*want_contacts=*/false}; }

    //! Reads what `run` touches, now, in its own transaction (as the prefetcher does).
    storage::LoadedContacts ReadAhead(const std::vector<storage::CommitItem>& run) {
        auto connection = pool_.Acquire();
        pqxx::read_transaction txn(*connection);
        return storage::LoadTouched(txn, Request(), run);
    }

    //! Commits `run`, with `preloaded` when given; returns the results and what the run changed.
    std::pair<std::vector<storage::ItemResult>, storage::ChangedContacts> CommitRun(
        const std::vector<storage::CommitItem>& run, storage::LoadedContacts* preloaded = nullptr) {
        auto connection = pool_.Acquire();
        pqxx::work txn(*connection);
        storage::FoldedRun folded = storage::FoldItems(
            Request(), preloaded ? std::move(*preloaded) : storage::LoadTouched(txn, Request(), run), run);
        storage::WriteFolded(txn, Request(), folded);
        txn.commit();
        return {std::move(folded.results), *folded.changed};
    }

    //! The two-chunk story of the tests below: the first chunk gives Ann (+16502530000) a new e-mail,
    //! releasing shared@x.io, and creates Bob (+16502530001); the second, read before the first committed,
    //! claims shared@x.io for a new contact, retitles Ann and names Bob. Applied after the first, it must
    //! end exactly as if it had been read afterwards.
    void ExpectSecondChunkAppliedAsIfReadAfterTheFirst(const std::vector<storage::ItemResult>& results,
                                                       const std::string& ann_id) {
        ASSERT_EQ(results.size(), 3u);
        EXPECT_TRUE(results[0].outcome.ok()) << "shared@x.io was released by the chunk before";
        EXPECT_EQ(results[0].outcome.action, Action::kCreated);
        EXPECT_EQ(results[1].outcome.action, Action::kUpdated);
        EXPECT_EQ(results[2].outcome.action, Action::kUpdated) << "Bob, created by the chunk before, is updated";
        EXPECT_EQ(Count("SELECT count(*) FROM contacts WHERE workspace_id = $1"), 3);
        const auto stored = store_.Get(settings_, ann_id);
        ASSERT_TRUE(stored.has_value());
        EXPECT_EQ(stored->title, "second");
        EXPECT_EQ(stored->version, 3);
        EXPECT_TRUE(ClaimsMatchContacts());
    }

    //! The two-chunk story, prefetched: Ann is stored, the first chunk is folded and written but not yet
    //! committed while the prefetcher reads and folds the second on top of its changes; then it commits.
    //! With `wait_until_prepared`, Take comes only once the preparation is over (so nobody waits for it and
    //! the statements are rendered ahead); otherwise at once. Returns Ann's id and the second chunk.
    std::pair<std::string, std::optional<storage::PreparedChunk>> PrefetchSecondChunk(bool wait_until_prepared) {
        const auto ann = CommitOne(R"({"phone": "+16502530000", "email": "shared@x.io", "title": "old"})");
        EXPECT_TRUE(ann.outcome.ok());
        const auto first = Run({R"({"phone": "+16502530000", "emails": ["ann@x.io"], "title": "first"})",
                                R"({"phone": "+16502530001", "first_name": "Bob"})"});
        // Folds the first chunk, as the worker does before writing it.
        storage::FoldedRun first_fold = storage::FoldItems(Request(), ReadAhead(first), first);
        storage::ChunkPrefetcher prefetcher(TestParser(), &pool_);
        const storage::ChunkKey applying{"job", 1};
        auto connection = pool_.Acquire();
        pqxx::work txn(*connection);
        // The read of the second chunk cannot see the first one's writes, only the changes it was given.
        storage::WriteFolded(txn, Request(), first_fold);
        prefetcher.Start(ChunkOf("job", 2,
                                 {R"({"phone": "+16502530002", "email": "shared@x.io"})",
                                  R"({"phone": "+16502530000", "title": "second"})",
                                  R"({"phone": "+16502530001", "last_name": "Ray"})"}),
                         settings_, applying, first_fold.changed, kTestNow);
        for (int i = 0; wait_until_prepared && i < 6000 && prefetcher.preparing(); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        EXPECT_FALSE(wait_until_prepared && prefetcher.preparing());
        prefetcher.Committed(applying);  // reported before Take, so that Take keeps the fold
        std::optional<storage::PreparedChunk> second = prefetcher.Take({"job", 2});
        txn.commit();
        return {ann.contact ? ann.contact->id : std::string(), std::move(second)};
    }

    void WriteSecondChunk(const storage::FoldedRun& folded) {
        auto connection = pool_.Acquire();
        pqxx::work txn(*connection);
        storage::WriteFolded(txn, Request(), folded);
        txn.commit();
    }
};

// The chunk before releases an e-mail, creates a contact and changes another; the chunk after, read before
// those commits, must see all three as a read after them would.
TEST_F(ReadAheadTest, AReadBroughtUpToDateSeesEverythingThePreviousChunkCommitted) {
    const auto ann = CommitOne(R"({"phone": "+16502530000", "email": "shared@x.io", "title": "old"})");
    ASSERT_TRUE(ann.outcome.ok());
    const auto first = Run({R"({"phone": "+16502530000", "emails": ["ann@x.io"], "title": "first"})",
                            R"({"phone": "+16502530001", "first_name": "Bob"})"});
    const auto second =
        Run({R"({"phone": "+16502530002", "email": "shared@x.io"})", R"({"phone": "+16502530000", "title": "second"})",
             R"({"phone": "+16502530001", "last_name": "Ray"})"});

    storage::LoadedContacts ahead = ReadAhead(second);  // before `first` commits
    const auto [first_results, first_changed] = CommitRun(first);
    ASSERT_TRUE(first_results[0].outcome.ok());
    ASSERT_EQ(first_changed.size(), 2u);
    storage::ApplyCommittedChanges(ahead, storage::ChangedContacts(first_changed));

    const auto [results, changed] = CommitRun(second, &ahead);
    ExpectSecondChunkAppliedAsIfReadAfterTheFirst(results, ann.contact->id);
}

// Only what a read after the commit would find is taken: a contact that now holds a value the read looked
// for, not one the next chunk never mentions.
TEST_F(ReadAheadTest, BringingUpToDateTakesWhatAFreshReadWouldFindAndNothingElse) {
    const auto ann = CommitOne(R"({"phone": "+16502530000", "title": "Ann"})");
    const auto carl = CommitOne(R"({"phone": "+16502530005", "title": "Carl"})");
    ASSERT_TRUE(ann.outcome.ok() && carl.outcome.ok());
    const auto first =
        Run({R"({"phone": "+16502530005", "email": "new@x.io"})", R"({"phone": "+16502530009", "first_name": "Dan"})"});
    const auto second = Run({R"({"phone": "+16502530000", "email": "new@x.io"})"});

    storage::LoadedContacts ahead = ReadAhead(second);
    ASSERT_EQ(ahead.by_id.size(), 1u) << "only Ann holds a value the second chunk mentions, before the first";
    const auto [first_results, first_changed] = CommitRun(first);
    ASSERT_EQ(first_changed.size(), 2u);
    storage::ApplyCommittedChanges(ahead, first_changed);
    EXPECT_EQ(ahead.by_id.size(), 2u) << "Carl now holds new@x.io; Dan is of no concern to the second chunk";
    EXPECT_EQ(ahead.by_id.count(carl.contact->id), 1u);

    const auto [results, changed] = CommitRun(second, &ahead);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].outcome.ignored_code, engine::Code::kDuplicateValue) << "new@x.io is Carl's";
    EXPECT_TRUE(ClaimsMatchContacts());
}

// The same read used stale is caught, never applied: this is what the bringing up to date is for.
TEST_F(ReadAheadTest, AStaleReadIsCaughtByTheVersionCheck) {
    ASSERT_TRUE(CommitOne(R"({"phone": "+16502530000", "title": "old"})").outcome.ok());
    const auto first = Run({R"({"phone": "+16502530000", "title": "first"})"});
    const auto second = Run({R"({"phone": "+16502530000", "title": "second"})"});
    storage::LoadedContacts stale = ReadAhead(second);
    CommitRun(first);
    EXPECT_THROW(CommitRun(second, &stale), pqxx::serialization_failure);
}

// Step 4 finds a changed row by the ctid step 1 read it at. A ctid that no longer holds that contact (its row
// moved, and another contact's row may stand there now) is never applied to whatever is there: the run fails
// as a serialization failure, to be read afresh.
TEST_F(ReadAheadTest, ARowFoundAtAnotherPlaceIsCaughtNotWrittenOver) {
    const auto ann = CommitOne(R"({"phone": "+16502530000", "title": "Ann"})");
    const auto bob = CommitOne(R"({"phone": "+16502530001", "title": "Bob"})");
    ASSERT_TRUE(ann.outcome.ok() && bob.outcome.ok());
    const auto update_ann = Run({R"({"phone": "+16502530000", "title": "renamed"})"});

    storage::LoadedContacts read = ReadAhead(update_ann);
    ASSERT_EQ(read.row_of.count(ann.contact->id), 1u) << "the read says where Ann's row is";
    const storage::LoadedContacts where_bob_is = ReadAhead(Run({R"({"phone": "+16502530001"})"}));
    read.row_of[ann.contact->id] = where_bob_is.row_of.at(bob.contact->id);
    EXPECT_THROW(CommitRun(update_ann, &read), pqxx::serialization_failure);

    storage::LoadedContacts nowhere = ReadAhead(update_ann);
    nowhere.row_of[ann.contact->id] = "(99999,1)";
    EXPECT_THROW(CommitRun(update_ann, &nowhere), pqxx::serialization_failure);

    EXPECT_EQ(store_.Get(settings_, bob.contact->id)->title, "Bob");
    EXPECT_EQ(store_.Get(settings_, ann.contact->id)->title, "Ann");
    storage::LoadedContacts fresh = ReadAhead(update_ann);
    const auto [results, changed] = CommitRun(update_ann, &fresh);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].outcome.action, Action::kUpdated);
    EXPECT_EQ(store_.Get(settings_, ann.contact->id)->title, "renamed");
}

// A contact taken from the chunk before has a new row version, so its read location is dropped and the
// update finds it by id.
TEST_F(ReadAheadTest, AContactTakenFromTheChunkBeforeIsFoundById) {
    const auto ann = CommitOne(R"({"phone": "+16502530000", "title": "old"})");
    ASSERT_TRUE(ann.outcome.ok());
    const auto first = Run({R"({"phone": "+16502530000", "title": "first"})"});
    const auto second = Run({R"({"phone": "+16502530000", "title": "second"})"});
    storage::LoadedContacts ahead = ReadAhead(second);
    ASSERT_EQ(ahead.row_of.count(ann.contact->id), 1u);
    const auto [first_results, first_changed] = CommitRun(first);
    storage::ApplyCommittedChanges(ahead, first_changed);
    EXPECT_EQ(ahead.row_of.count(ann.contact->id), 0u) << "Ann's row moved when the first chunk updated her";
    const auto [results, changed] = CommitRun(second, &ahead);
    EXPECT_EQ(results[0].outcome.action, Action::kUpdated);
    EXPECT_EQ(store_.Get(settings_, ann.contact->id)->version, 3);
}

TEST_F(ReadAheadTest, ThePrefetcherUsesItsFoldOnlyAfterTheChunkItWasFoldedOnCommitted) {
    ASSERT_TRUE(CommitOne(R"({"phone": "+16502530000", "title": "old"})").outcome.ok());
    storage::ChunkPrefetcher prefetcher(TestParser(), &pool_);
    const std::vector<std::string> items = {R"({"phone": "+16502530000", "title": "next"})"};
    const storage::ChunkKey applying{"job", 1};
    const storage::ChunkKey next{"job", 2};
    const auto nothing = std::make_shared<const storage::ChangedContacts>();
    const auto start = [&] { prefetcher.Start(ChunkOf("job", 2, items), settings_, applying, nothing, kTestNow); };

    start();
    auto taken = prefetcher.Take(next);
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->items.size(), 1u);
    EXPECT_FALSE(taken->folded.has_value()) << "chunk 1 has not reported its commit";

    start();
    prefetcher.Committed({"job", 0});
    taken = prefetcher.Take(next);
    ASSERT_TRUE(taken.has_value());
    EXPECT_FALSE(taken->folded.has_value()) << "the last commit reported is another chunk's";

    start();
    prefetcher.Committed(applying);
    taken = prefetcher.Take(next);
    ASSERT_TRUE(taken.has_value());
    ASSERT_TRUE(taken->folded.has_value());
    EXPECT_EQ(taken->folded->loaded.by_id.size(), 1u) << "the contact the item updates was read";
    ASSERT_EQ(taken->folded->results.size(), 1u);
    EXPECT_EQ(taken->folded->results[0].outcome.action, Action::kUpdated);

    prefetcher.Start(ChunkOf("job", 2, items), settings_, applying, nullptr, kTestNow);
    taken = prefetcher.Take(next);
    ASSERT_TRUE(taken.has_value());
    EXPECT_FALSE(taken->folded.has_value()) << "without the changes of the chunk before, nothing is folded";

    start();
    prefetcher.Clear();
    EXPECT_FALSE(prefetcher.Take(next).has_value()) << "cleared when the lane changed hands";
    start();
    taken = prefetcher.Take(next);
    ASSERT_TRUE(taken.has_value());
    EXPECT_FALSE(taken->folded.has_value()) << "Clear forgets the commit reported before it";
    EXPECT_FALSE(prefetcher.Take({"job", 3}).has_value());
}

// The next chunk is folded on top of the current one's changes before they commit; once they do, writing
// that fold leaves exactly what applying the two chunks one after the other does.
TEST_F(ReadAheadTest, AChunkFoldedOnTopOfTheUncommittedOneBeforeItIsWrittenCorrectly) {
    auto [ann_id, second] = PrefetchSecondChunk(/*wait_until_prepared=*/false);
    ASSERT_TRUE(second.has_value());
    ASSERT_TRUE(second->folded.has_value());
    WriteSecondChunk(*second->folded);
    ExpectSecondChunkAppliedAsIfReadAfterTheFirst(second->folded->results, ann_id);
}

// When the worker does not wait for it, the prefetcher renders the chunk's statements too; written from
// those, the chunk ends exactly as when they are rendered at write time (the test above).
TEST_F(ReadAheadTest, AChunkWhoseStatementsWereRenderedAheadIsWrittenCorrectly) {
    auto [ann_id, second] = PrefetchSecondChunk(/*wait_until_prepared=*/true);
    ASSERT_TRUE(second.has_value());
    ASSERT_TRUE(second->folded.has_value());
    ASSERT_TRUE(second->folded->rendered.has_value()) << "no one waited, yet the statements were not rendered";
    WriteSecondChunk(*second->folded);
    ExpectSecondChunkAppliedAsIfReadAfterTheFirst(second->folded->results, ann_id);
}

// A fold made on top of changes that never committed is caught when written, never applied.
TEST_F(ReadAheadTest, AFoldOnTopOfChangesThatDidNotCommitIsCaught) {
    ASSERT_TRUE(CommitOne(R"({"phone": "+16502530000", "title": "old"})").outcome.ok());
    const auto first = Run({R"({"phone": "+16502530000", "title": "first"})"});
    const auto second = Run({R"({"phone": "+16502530000", "title": "second"})"});
    storage::FoldedRun first_fold = storage::FoldItems(Request(), ReadAhead(first), first);
    storage::LoadedContacts ahead = ReadAhead(second);
    storage::ApplyCommittedChanges(ahead, storage::ChangedContacts(*first_fold.changed));
    storage::FoldedRun second_fold = storage::FoldItems(Request(), std::move(ahead), second);
    {
        auto connection = pool_.Acquire();
        pqxx::work txn(*connection);
        EXPECT_THROW(storage::WriteFolded(txn, Request(), second_fold), pqxx::serialization_failure);
    }
    // The same with the statements rendered ahead, as the prefetcher does: they carry the version check too.
    second_fold.rendered = storage::RenderWrite(Request(), second_fold);
    auto connection = pool_.Acquire();
    pqxx::work txn(*connection);
    EXPECT_THROW(storage::WriteFolded(txn, Request(), second_fold), pqxx::serialization_failure);
}

}  // namespace
}  // namespace contactd::testing
