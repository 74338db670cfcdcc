// The commit path against real PostgreSQL: ordering inside a run, uniqueness decided by the database,
// and races between concurrent writers.
#include "storage/commit_path.hpp"

#include <atomic>
#include <barrier>
#include <thread>

#include "storage/db_error.hpp"
#include "tests/storage/storage_fixtures.hpp"

namespace contactd::testing {
namespace {

using engine::Action;
using engine::Code;

class CommitPathTest : public StorageTest {};

TEST_F(CommitPathTest, UpsertCreatesThenUpdatesByIdentifier) {
    const auto created = CommitOne(R"({"phone": "+1 650 253 0000", "first_name": "Ann"})");
    ASSERT_TRUE(created.outcome.ok());
    EXPECT_EQ(created.outcome.action, Action::kCreated);
    const auto updated = CommitOne(R"({"phone": "+16502530000", "last_name": "Lee"})");
    ASSERT_TRUE(updated.outcome.ok());
    EXPECT_EQ(updated.outcome.action, Action::kUpdated);
    EXPECT_EQ(updated.contact->id, created.contact->id);
    EXPECT_EQ(updated.contact->version, 2);
    const auto stored = store_.Get(settings_, created.contact->id);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->first_name, "Ann");
    EXPECT_EQ(stored->last_name, "Lee");
    EXPECT_EQ(stored->version, 2);
    EXPECT_TRUE(ClaimsMatchContacts());
}

TEST_F(CommitPathTest, ItemsOfOneContactApplyInSubmissionOrderWithinARun) {
    const auto results = Commit({R"({"phone": "+16502530000", "title": "a", "tags": ["x"]})",
                                 R"({"phone": "+16502530000", "title": "b", "tags": {"add": ["y"]}})",
                                 R"({"phone": "+16502530000", "title": "c"})"});
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0].outcome.action, Action::kCreated);
    EXPECT_EQ(results[1].outcome.action, Action::kUpdated);
    EXPECT_EQ(results[2].contact->version, 3);
    const auto stored = store_.Get(settings_, results[0].contact->id);
    EXPECT_EQ(stored->title, "c");
    EXPECT_EQ(stored->tags, (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(stored->version, 3);
    EXPECT_EQ(Count("SELECT count(*) FROM contacts WHERE workspace_id = $1"), 1);
}

// One UPDATE writes every changed contact of a run: a column all rows share travels once, the others per row.
TEST_F(CommitPathTest, ContactsUpdatedInOneRunKeepTheirOwnValues) {
    CommitOne(R"({"phone": "+16502530000"})");
    CommitOne(R"({"phone": "+16502530001"})");
    CommitOne(R"({"phone": "+16502530002"})");
    const auto results = Commit({R"({"phone": "+16502530000", "title": "a", "status": "Won", "priority": 1})",
                                 R"({"phone": "+16502530001", "title": "a", "status": "New", "priority": 1})",
                                 R"({"phone": "+16502530002", "title": "b", "status": "Won", "priority": 1})"});
    ASSERT_EQ(results.size(), 3u);
    const std::vector<std::pair<std::string, std::string>> expected = {{"a", "Won"}, {"a", "New"}, {"b", "Won"}};
    for (std::size_t i = 0; i < results.size(); ++i) {
        ASSERT_EQ(results[i].outcome.action, Action::kUpdated) << i;
        const auto stored = store_.Get(settings_, results[i].contact->id);
        ASSERT_TRUE(stored.has_value());
        EXPECT_EQ(stored->title, expected[i].first) << i;
        EXPECT_EQ(stored->status, expected[i].second) << i;
        EXPECT_EQ(stored->priority, 1) << i;
        EXPECT_EQ(stored->version, 2) << i;
    }
}

// A run that creates or changes one contact writes it with one statement naming every column (an INSERT or
// an UPDATE prepared once per connection): each column must land in its own place, and an update must keep
// the columns it did not change.
TEST_F(CommitPathTest, OneContactCreatedThenUpdatedAloneKeepsEveryColumn) {
    const auto created = CommitOne(R"({"phone": "+16502530000", "phones": ["+16502530000", "+16502530009"],
        "emails": ["ann@x.io", "a.lee@y.io"], "first_name": "Ann", "last_name": "Lee", "second_last_name": "Ruiz",
        "company_name": "Acme", "title": "CTO", "whatsapp": "+16502530008", "tags": ["vip", "b2b"],
        "locations": ["Madrid"], "status": "New", "priority": 2, "source": "api", "country_code": "ES",
        "language": "es", "whatsapp_transactional_opt_in": true, "email_transactional_opt_in": false,
        "whatsapp_marketing_opt_in": false, "email_marketing_opt_in": true, "external_reference_id": "crm-1",
        "external_reference_url": "https://crm.example.com/1",
        "custom_fields": {"profile_field_1": "note", "profile_field_16": 7}})");
    ASSERT_TRUE(created.outcome.ok());
    const auto updated = CommitOne(R"({"phone": "+16502530000", "title": "CEO"})");
    ASSERT_TRUE(updated.outcome.ok());
    ASSERT_EQ(updated.outcome.action, Action::kUpdated);

    const auto stored = store_.Get(settings_, created.contact->id);
    ASSERT_TRUE(stored.has_value());
    engine::Contact expected = *created.contact;
    expected.title = "CEO";
    EXPECT_TRUE(stored->SameData(expected)) << "a column was stored in another's place, or changed";
    EXPECT_EQ(stored->title, "CEO");
    EXPECT_EQ(stored->version, 2);
    EXPECT_EQ(stored->created_at, created.contact->created_at);
    EXPECT_EQ(stored->identifier, created.contact->identifier);
    EXPECT_TRUE(ClaimsMatchContacts());
}

TEST_F(CommitPathTest, EmailHeldByAnotherContactIsDuplicateValueNamingTheHolder) {
    const auto holder = CommitOne(R"({"phone": "+16502530000", "email": "ann@x.io"})");
    const auto result = CommitOne(R"({"phone": "+16502530001", "emails": ["other@x.io", "ANN@x.io"]})");
    EXPECT_EQ(IgnoredCode(result), Code::kDuplicateValue);
    EXPECT_EQ(result.outcome.conflicting_contact_id, holder.contact->id);
    ASSERT_FALSE(result.outcome.remarks.empty());
    EXPECT_EQ(result.outcome.remarks.back().field, "emails");
    EXPECT_EQ(Count("SELECT count(*) FROM contacts WHERE workspace_id = $1"), 1) << "nothing of the item persisted";
    EXPECT_TRUE(ClaimsMatchContacts());
}

TEST_F(CommitPathTest, ConflictInsideOneRunGoesToTheEarlierItem) {
    const auto results = Commit({R"({"phone": "+16502530000", "email": "same@x.io"})",
                                 R"({"phone": "+16502530001", "email": "same@x.io"})",
                                 R"({"phone": "+16502530002", "first_name": "unrelated"})"});
    EXPECT_TRUE(results[0].outcome.ok());
    EXPECT_EQ(IgnoredCode(results[1]), Code::kDuplicateValue);
    EXPECT_EQ(results[1].outcome.conflicting_contact_id, results[0].contact->id);
    EXPECT_TRUE(results[2].outcome.ok());
    EXPECT_EQ(Count("SELECT count(*) FROM contacts WHERE workspace_id = $1"), 2);
    EXPECT_TRUE(ClaimsMatchContacts());
}

TEST_F(CommitPathTest, ValueReleasedEarlierInTheRunCanBeTakenLater) {
    const auto a = CommitOne(R"({"phone": "+16502530000", "email": "moving@x.io"})");
    const auto results =
        Commit({R"({"phone": "+16502530000", "emails": []})", R"({"phone": "+16502530001", "email": "moving@x.io"})"});
    ASSERT_TRUE(results[0].outcome.ok());
    ASSERT_TRUE(results[1].outcome.ok()) << (results[1].outcome.remarks.empty()
                                                 ? ""
                                                 : results[1].outcome.remarks[0].message);
    EXPECT_TRUE(ClaimsMatchContacts());
}

TEST_F(CommitPathTest, ValueTakenBeforeItIsReleasedIsADuplicateAsIfAppliedOneByOne) {
    const auto a = CommitOne(R"({"phone": "+16502530000", "email": "held@x.io"})");
    const auto results =
        Commit({R"({"phone": "+16502530001", "email": "held@x.io"})", R"({"phone": "+16502530000", "emails": []})"});
    EXPECT_EQ(IgnoredCode(results[0]), Code::kDuplicateValue);
    EXPECT_TRUE(results[1].outcome.ok());
    EXPECT_TRUE(ClaimsMatchContacts());
}

TEST_F(CommitPathTest, SecondPhoneOfAContactIsNotItsIdentifierButIsStillUnique) {
    CommitOne(R"({"phones": ["+16502530000", "+16502530001"]})");
    const auto result = CommitOne(R"({"phone": "+16502530001", "first_name": "x"})");
    EXPECT_EQ(IgnoredCode(result), Code::kDuplicateValue) << "upserts match the identifier, not any phone";
}

TEST_F(CommitPathTest, CreateModeOnAnExistingIdentifierIsAlreadyExists) {
    const auto a = CommitOne(R"({"phone": "+16502530000"})");
    const auto result = CommitOne(R"({"phone": "+16502530000"})", {.mode = engine::WriteMode::kCreate});
    EXPECT_EQ(IgnoredCode(result), Code::kAlreadyExists);
    EXPECT_EQ(result.outcome.conflicting_contact_id, a.contact->id);
}

TEST_F(CommitPathTest, UpdateByIdAndByAlias) {
    const auto a = CommitOne(R"({"phone": "+16502530000"})");
    const auto b = CommitOne(R"({"phone": "+16502530001"})");
    ASSERT_EQ(store_.Merge(settings_, a.contact->id, b.contact->id, kTestNow).status,
              storage::MergeOutcome::Status::kMerged);
    const auto by_alias = CommitOne(R"({"id": ")" + a.contact->id + R"(", "title": "via alias"})");
    ASSERT_TRUE(by_alias.outcome.ok());
    EXPECT_EQ(by_alias.contact->id, b.contact->id);
    const auto unknown = CommitOne(R"({"id": "00000000-0000-4000-8000-000000000000", "title": "x"})");
    EXPECT_EQ(IgnoredCode(unknown), Code::kContactNotFound);
    const auto not_a_uuid = CommitOne(R"({"id": "nope", "title": "x"})");
    EXPECT_EQ(IgnoredCode(not_a_uuid), Code::kContactNotFound);
}

// The read finds a contact by its identifier in one statement and by its id (an alias here) in the other: it
// is kept once, and both items reach it, in order.
TEST_F(CommitPathTest, ContactSelectedByIdentifierAndByAliasInOneRun) {
    const auto a = CommitOne(R"({"phone": "+16502530000"})");
    const auto b = CommitOne(R"({"phone": "+16502530001"})");
    ASSERT_EQ(store_.Merge(settings_, a.contact->id, b.contact->id, kTestNow).status,
              storage::MergeOutcome::Status::kMerged);
    const std::int64_t merged_version = store_.Get(settings_, b.contact->id)->version;
    const auto results = Commit({R"({"phone": "+16502530001", "title": "by identifier"})",
                                 R"({"id": ")" + a.contact->id + R"(", "tags": {"add": ["by-alias"]}})",
                                 R"({"id": ")" + b.contact->id + R"(", "status": "Won"})"});
    ASSERT_EQ(results.size(), 3u);
    for (const auto& result : results) {
        ASSERT_TRUE(result.outcome.ok());
        EXPECT_EQ(result.contact->id, b.contact->id);
    }
    EXPECT_EQ(results[2].contact->version, merged_version + 3);
    const auto stored = store_.Get(settings_, b.contact->id);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->title, "by identifier");
    EXPECT_EQ(stored->tags, (std::vector<std::string>{"by-alias"}));
    EXPECT_EQ(stored->status, "Won");
    EXPECT_EQ(stored->version, merged_version + 3);
}
TEST_F(CommitPathTest, IdentifierImmutabilityHoldsAgainstTheStoredContact) {
    const auto a = CommitOne(R"({"phone": "+16502530000"})");
    const auto result = CommitOne(R"({"id": ")" + a.contact->id + R"(", "phone": "+16502530001"})");
    EXPECT_EQ(IgnoredCode(result), Code::kIdentifierImmutable);
    EXPECT_EQ(store_.Get(settings_, a.contact->id)->phones, (std::vector<std::string>{"+16502530000"}));
}

TEST_F(CommitPathTest, WhatsappAndExternalReferenceAreUniqueToo) {
    CommitOne(R"({"phone": "+16502530000", "whatsapp": "+16502530009", "external_reference_id": "crm-1"})");
    EXPECT_EQ(IgnoredCode(CommitOne(R"({"phone": "+16502530001", "whatsapp": "+16502530009"})")),
              Code::kDuplicateValue);
    EXPECT_EQ(IgnoredCode(CommitOne(R"({"phone": "+16502530002", "external_reference_id": "crm-1"})")),
              Code::kDuplicateValue);
}

TEST_F(CommitPathTest, UnchangedWriteTouchesNothing) {
    const auto a = CommitOne(R"({"phone": "+16502530000", "first_name": "Ann"})");
    const auto again = Commit({R"({"phone": "+16502530000", "first_name": "Ann"})"}, {}, kTestNow + 5000)[0];
    EXPECT_EQ(again.outcome.action, Action::kUnchanged);
    EXPECT_EQ(store_.Get(settings_, a.contact->id)->version, 1);
}

TEST_F(CommitPathTest, DatabaseIndexRefusesADuplicateEvenWhenTheCodeIsBypassed) {
    CommitOne(R"({"phone": "+16502530000", "email": "ann@x.io"})");
    auto connection = pool_.Acquire();
    pqxx::work txn(*connection);
    EXPECT_THROW(
        txn.exec_params("INSERT INTO contact_keys VALUES ($1, 1, 'ann@x.io', gen_random_uuid())", settings_.id),
        pqxx::unique_violation);
}

TEST_F(CommitPathTest, DatabaseRefusesAnUpperCaseEmailClaim) {
    auto connection = pool_.Acquire();
    pqxx::work txn(*connection);
    EXPECT_THROW(
        txn.exec_params("INSERT INTO contact_keys VALUES ($1, 1, 'Ann@x.io', gen_random_uuid())", settings_.id),
        pqxx::check_violation);
}

// Two writers create different contacts with the same e-mail at the same moment, many times over: the
// unique index lets exactly one win each time, and the loser's item is DUPLICATE_VALUE, never an error.
TEST_F(CommitPathTest, ConcurrentWritersNeverCreateADuplicateEmail) {
    constexpr int kRounds = 30;
    std::atomic<int> ok{0};
    std::atomic<int> duplicates{0};
    std::barrier start(2);
    const auto writer = [&](int side) {
        for (int round = 0; round < kRounds; ++round) {
            start.arrive_and_wait();
            const std::string json = R"({"phone": "+1650253)" + std::to_string(1000 + round * 2 + side) +
                                     R"(", "email": "race)" + std::to_string(round) + R"(@x.io"})";
            const auto result = storage::RetryTransient([&] { return CommitOne(json); }, 10);
            if (result.outcome.ok()) ++ok;
            if (result.outcome.ignored_code == Code::kDuplicateValue) ++duplicates;
        }
    };
    std::thread a(writer, 0);
    std::thread b(writer, 1);
    a.join();
    b.join();
    EXPECT_EQ(ok.load(), kRounds);
    EXPECT_EQ(duplicates.load(), kRounds);
    EXPECT_EQ(Count("SELECT count(DISTINCT value) FROM contact_keys WHERE workspace_id = $1 AND kind = 1"), kRounds);
    EXPECT_TRUE(ClaimsMatchContacts());
}

// Two writers upsert the same new identifier at once: one creates, the other updates the same contact.
TEST_F(CommitPathTest, ConcurrentUpsertsOfOneIdentifierCreateOneContact) {
    constexpr int kRounds = 20;
    std::barrier start(2);
    const auto writer = [&](int side) {
        for (int round = 0; round < kRounds; ++round) {
            start.arrive_and_wait();
            const std::string json = R"({"phone": "+1650253)" + std::to_string(2000 + round) +
                                     R"(", "tags": {"add": ["side)" + std::to_string(side) + R"("]}})";
            const auto result = storage::RetryTransient([&] { return CommitOne(json); }, 10);
            EXPECT_TRUE(result.outcome.ok());
        }
    };
    std::thread a(writer, 0);
    std::thread b(writer, 1);
    a.join();
    b.join();
    EXPECT_EQ(Count("SELECT count(*) FROM contacts WHERE workspace_id = $1"), kRounds);
    EXPECT_EQ(Count("SELECT count(*) FROM contacts WHERE workspace_id = $1 AND version = 2 AND "
                    "tags @> ARRAY['side0', 'side1']"),
              kRounds);
}

// Two writers add tags to one existing contact at the same moment. The load takes no row lock, so this
// only holds because the update checks the version it read and the loser runs again on fresh data.
TEST_F(CommitPathTest, ConcurrentUpdatesOfOneContactLoseNoChange) {
    constexpr int kRounds = 25;
    ASSERT_TRUE(CommitOne(R"({"phone": "+16502533000"})").outcome.ok());
    std::barrier start(2);
    const auto writer = [&](int side) {
        for (int round = 0; round < kRounds; ++round) {
            start.arrive_and_wait();
            const std::string tag = "s" + std::to_string(side) + "r" + std::to_string(round);
            const std::string json = R"({"phone": "+16502533000", "tags": {"add": [")" + tag + R"("]}})";
            const auto result = storage::RetryTransient([&] { return CommitOne(json); }, 20);
            EXPECT_TRUE(result.outcome.ok());
        }
    };
    std::thread a(writer, 0);
    std::thread b(writer, 1);
    a.join();
    b.join();
    EXPECT_EQ(Count("SELECT cardinality(tags) FROM contacts WHERE workspace_id = $1"), 2 * kRounds);
    EXPECT_EQ(Count("SELECT version FROM contacts WHERE workspace_id = $1"), 1 + 2 * kRounds);
}

TEST_F(CommitPathTest, EmailIdentifierWorkspaceMatchesCaseInsensitively) {
    UseWorkspace(engine::IdentifierField::kEmail);
    const auto a = CommitOne(R"({"email": "Ann@X.io", "first_name": "Ann"})");
    const auto b = CommitOne(R"({"email": "ANN@x.IO", "last_name": "Lee"})");
    ASSERT_TRUE(b.outcome.ok());
    EXPECT_EQ(b.contact->id, a.contact->id);
    EXPECT_EQ(Count("SELECT count(*) FROM contacts WHERE workspace_id = $1"), 1);
    EXPECT_EQ(CommitOne(R"({"email": "two@x.io", "phones": ["+16502530000"]})").outcome.ok(), true);
    EXPECT_TRUE(CommitOne(R"({"email": "three@x.io", "phones": ["+16502530000"]})").outcome.ok())
        << "phones are not unique when e-mail identifies contacts";
}

TEST_F(CommitPathTest, ExternalReferenceIdentifierWorkspace) {
    UseWorkspace(engine::IdentifierField::kExternalReferenceId);
    const auto a = CommitOne(R"({"external_reference_id": "crm-1", "first_name": "Ann"})");
    const auto b = CommitOne(R"({"external_reference_id": "crm-1", "title": "x"})");
    EXPECT_EQ(b.contact->id, a.contact->id);
    EXPECT_EQ(IgnoredCode(CommitOne(R"({"first_name": "no identifier"})")), Code::kMissingIdentifier);
}

TEST_F(CommitPathTest, DecidedOutcomesPassThroughInOrder) {
    std::vector<storage::CommitItem> run;
    run.push_back({std::nullopt, engine::Outcome::Ignored(Code::kInvalidItem, {})});
    run.push_back({Item(R"({"phone": "+16502530000"})"), std::nullopt});
    auto connection = pool_.Acquire();
    pqxx::work txn(*connection);
    const auto results = storage::CommitItems(txn, {settings_, {}, kTestNow}, run);
    txn.commit();
    EXPECT_EQ(results[0].outcome.ignored_code, Code::kInvalidItem);
    EXPECT_TRUE(results[1].outcome.ok());
}

}  // namespace
}  // namespace contactd::testing
