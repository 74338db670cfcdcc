// Single-contact operations against real PostgreSQL: lookups, writes by reference, merge, search.
#include "storage/contact_store.hpp"

#include <barrier>
#include <thread>

#include "engine/search_query.hpp"
#include "tests/storage/storage_fixtures.hpp"

namespace contactd::testing {
namespace {

using engine::Code;
using MergeStatus = storage::MergeOutcome::Status;

class ContactStoreTest : public StorageTest {
  protected:
    engine::Contact Create(const std::string& json) {
        auto result = CommitOne(json);
        EXPECT_TRUE(result.outcome.ok()) << json;
        return *result.contact;
    }

    storage::ItemResult Write(const std::string& ref, std::string_view json, engine::Semantics semantics) {
        auto write = engine::ValidateWrite(J(json), settings_, {});
        return store_.Write(settings_, std::move(write).value(),
                            {.mode = engine::WriteMode::kUpdate, .semantics = semantics}, ref, kTestNow + 1000);
    }

    storage::SearchPage Search(std::string_view body, std::optional<std::string_view> skip = {},
                               std::optional<std::string_view> limit = {}) {
        const engine::Json json = J(body);
        auto parsed = engine::ParseSearchQuery(&json, skip, limit, settings_);
        EXPECT_TRUE(parsed.query.has_value()) << parsed.error.message;
        return store_.Search(settings_, *parsed.query);
    }
};

// A PATCH that moves no unique value is one UPDATE without a transaction around the read: two writers on one
// contact must still lose nothing (the version check fails the slower one, which reads again and retries),
// and one that does move a unique value takes its claim with it.
TEST_F(ContactStoreTest, ConcurrentPatchesOfOneContactLoseNoChange) {
    constexpr int kRounds = 20;
    const auto contact = Create(R"({"phone": "+16502530000"})");
    std::barrier start(2);
    const auto writer = [&](int side) {
        for (int round = 0; round < kRounds; ++round) {
            start.arrive_and_wait();
            const std::string tag = "s" + std::to_string(side) + "r" + std::to_string(round);
            EXPECT_TRUE(
                Write(contact.id, R"({"tags": {"add": [")" + tag + R"("]}})", engine::Semantics::kPatch).outcome.ok());
        }
    };
    std::thread a(writer, 0);
    std::thread b(writer, 1);
    a.join();
    b.join();
    const auto stored = store_.Get(settings_, contact.id);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->tags.size(), 2u * kRounds);
    EXPECT_EQ(stored->version, 1 + 2 * kRounds);

    ASSERT_TRUE(Write(contact.id, R"({"emails": ["ann@x.io"]})", engine::Semantics::kPatch).outcome.ok());
    EXPECT_TRUE(ClaimsMatchContacts()) << "a write that moves a unique value claims it in the same transaction";
}

TEST_F(ContactStoreTest, GetFindsByIdAliasAndExternalReferenceId) {
    const auto a = Create(R"({"phone": "+16502530000", "external_reference_id": "crm-7"})");
    EXPECT_EQ(store_.Get(settings_, a.id)->id, a.id);
    EXPECT_EQ(store_.Get(settings_, "crm-7")->id, a.id);
    EXPECT_FALSE(store_.Get(settings_, "crm-8").has_value());
    EXPECT_FALSE(store_.Get(settings_, "00000000-0000-4000-8000-000000000000").has_value());
}

TEST_F(ContactStoreTest, AContactOfAnotherWorkspaceIsNotFound) {
    const auto a = Create(R"({"phone": "+16502530000", "external_reference_id": "crm-7"})");
    const engine::WorkspaceSettings mine = settings_;
    UseWorkspace(engine::IdentifierField::kPhone);
    EXPECT_FALSE(store_.Get(settings_, a.id).has_value());
    EXPECT_FALSE(store_.Get(settings_, "crm-7").has_value());
    const auto write = Write(a.id, R"({"title": "x"})", engine::Semantics::kPatch);
    EXPECT_EQ(IgnoredCode(write), Code::kContactNotFound);
    EXPECT_FALSE(store_.Get(mine, a.id)->title.has_value());
}

TEST_F(ContactStoreTest, WriteByExternalReferenceIdAddressesTheContact) {
    const auto a = Create(R"({"phone": "+16502530000", "external_reference_id": "crm-7"})");
    const auto result = Write("crm-7", R"({"title": "CEO"})", engine::Semantics::kPatch);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.contact->id, a.id);
    EXPECT_EQ(store_.Get(settings_, a.id)->title, "CEO");
}

TEST_F(ContactStoreTest, UuidShapedExternalReferenceIdIsFoundAfterIdsAndAliases) {
    const auto a =
        Create(R"({"phone": "+16502530000", "external_reference_id": "99999999-9999-4999-8999-999999999999"})");
    EXPECT_EQ(store_.Get(settings_, "99999999-9999-4999-8999-999999999999")->id, a.id);
    EXPECT_TRUE(
        Write("99999999-9999-4999-8999-999999999999", R"({"title": "x"})", engine::Semantics::kPatch).outcome.ok());
}

TEST_F(ContactStoreTest, PutReplacesCustomFieldsAndPatchMerges) {
    const auto a =
        Create(R"({"phone": "+16502530000", "custom_fields": {"profile_field_1": "a", "profile_field_2": "b"}})");
    ASSERT_TRUE(Write(a.id, R"({"custom_fields": {"profile_field_3": "c"}})", engine::Semantics::kPatch).outcome.ok());
    EXPECT_EQ(store_.Get(settings_, a.id)->custom_fields.size(), 3u);
    ASSERT_TRUE(Write(a.id, R"({"custom_fields": {"profile_field_16": 500}})", engine::Semantics::kPut).outcome.ok());
    const auto stored = store_.Get(settings_, a.id);
    ASSERT_EQ(stored->custom_fields.size(), 1u);
    EXPECT_EQ(std::get<double>(stored->custom_fields.at("profile_field_16")), 500.0);
    EXPECT_EQ(stored->version, 3);
}

TEST_F(ContactStoreTest, EveryKindOfValueRoundTripsExactly) {
    const std::string emoji = "\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x94\xAC";
    const auto a = Create(R"({"phone": "+16502530000", "first_name": ")" + emoji + R"( \"quoted\" \\ back",
        "tags": ["a,b", "{brace}", "NULL", "x\"y"], "locations": ["Zürich"], "priority": 4, "source": "api",
        "country_code": "ch", "language": "DE", "email_marketing_opt_in": false, "whatsapp": "+16502530001",
        "external_reference_url": "https://crm.example.com/c/1?a=b",
        "custom_fields": {"profile_field_1": "multi\nline\ttext", "profile_field_16": -12.5,
                          "profile_field_26": "2026-03-01T12:00:00.123+01:00"}})");
    const auto stored = store_.Get(settings_, a.id);
    ASSERT_TRUE(stored.has_value());
    EXPECT_TRUE(stored->SameData(a));
    EXPECT_EQ(stored->first_name, emoji + " \"quoted\" \\ back");
    EXPECT_EQ(stored->tags, (std::vector<std::string>{"a,b", "{brace}", "NULL", "x\"y"}));
    EXPECT_EQ(std::get<engine::DateValue>(stored->custom_fields.at("profile_field_26")).millis, 1772362800123);
    EXPECT_EQ(stored->created_at, kTestNow);
}

TEST_F(ContactStoreTest, MergeUnionsValuesMovesClaimsAndLeavesAnAlias) {
    const auto target = Create(R"({"phone": "+16502530000", "email": "t@x.io", "tags": ["a"]})");
    const auto source =
        Create(R"({"phone": "+16502530001", "emails": ["s@x.io", "s2@x.io"], "tags": ["b"], "title": "CTO"})");
    const auto merged = store_.Merge(settings_, source.id, target.id, kTestNow + 5);
    ASSERT_EQ(merged.status, MergeStatus::kMerged);
    EXPECT_EQ(merged.contact.emails, (std::vector<std::string>{"t@x.io", "s@x.io", "s2@x.io"}));
    EXPECT_EQ(merged.contact.phones, (std::vector<std::string>{"+16502530000", "+16502530001"}));
    EXPECT_EQ(merged.contact.title, "CTO");
    EXPECT_EQ(merged.contact.version, 2);
    EXPECT_EQ(store_.Get(settings_, source.id)->id, target.id) << "the source id is now an alias";
    EXPECT_EQ(Count("SELECT count(*) FROM contacts WHERE workspace_id = $1"), 1);
    EXPECT_TRUE(ClaimsMatchContacts());
    // The moved e-mail now belongs to the target: another contact cannot take it.
    EXPECT_EQ(IgnoredCode(CommitOne(R"({"phone": "+16502530002", "email": "s@x.io"})")), Code::kDuplicateValue);
}

TEST_F(ContactStoreTest, AliasChainsResolveToTheEndInOneLookup) {
    const auto a = Create(R"({"phone": "+16502530000"})");
    const auto b = Create(R"({"phone": "+16502530001"})");
    const auto c = Create(R"({"phone": "+16502530002"})");
    ASSERT_EQ(store_.Merge(settings_, a.id, b.id, kTestNow).status, MergeStatus::kMerged);
    ASSERT_EQ(store_.Merge(settings_, b.id, c.id, kTestNow).status, MergeStatus::kMerged);
    EXPECT_EQ(store_.Get(settings_, a.id)->id, c.id);
    EXPECT_EQ(store_.Get(settings_, b.id)->id, c.id);
    EXPECT_EQ(Count("SELECT count(*) FROM contact_aliases WHERE workspace_id = $1 AND contact_id <> (SELECT id FROM "
                    "contacts WHERE workspace_id = $1)"),
              0);
}

TEST_F(ContactStoreTest, MergeIntoItselfAfterAliasResolutionIsRefused) {
    const auto a = Create(R"({"phone": "+16502530000"})");
    const auto b = Create(R"({"phone": "+16502530001"})");
    ASSERT_EQ(store_.Merge(settings_, a.id, b.id, kTestNow).status, MergeStatus::kMerged);
    EXPECT_EQ(store_.Merge(settings_, a.id, b.id, kTestNow).status, MergeStatus::kSameContact);
    EXPECT_EQ(store_.Merge(settings_, "nope", b.id, kTestNow).status, MergeStatus::kSourceNotFound);
    EXPECT_EQ(store_.Merge(settings_, b.id, "nope", kTestNow).status, MergeStatus::kTargetNotFound);
}

TEST_F(ContactStoreTest, MergeOverAListLimitIsRefusedAndChangesNothing) {
    std::string many_a = "[", many_b = "[";
    for (int i = 0; i < 15; ++i) {
        many_a += (i ? ",\"a" : "\"a") + std::to_string(i) + "@x.io\"";
        many_b += (i ? ",\"b" : "\"b") + std::to_string(i) + "@x.io\"";
    }
    const auto a = Create(R"({"phone": "+16502530000", "emails": )" + many_a + "]}");
    const auto b = Create(R"({"phone": "+16502530001", "emails": )" + many_b + "]}");
    const auto merged = store_.Merge(settings_, a.id, b.id, kTestNow);
    ASSERT_EQ(merged.status, MergeStatus::kRefused);
    EXPECT_EQ(merged.refused->code, Code::kTooManyValues);
    EXPECT_EQ(Count("SELECT count(*) FROM contacts WHERE workspace_id = $1"), 2);
}

TEST_F(ContactStoreTest, SearchFiltersSortsPagesAndCounts) {
    for (int i = 0; i < 7; ++i) {
        const std::string tag = i % 2 == 0 ? "even" : "odd";
        const auto result =
            Commit({R"({"phone": "+165025300)" + std::to_string(10 + i) + R"(", "tags": [")" + tag +
                    R"(", "all"], "status": ")" + (i < 3 ? "New" : "Won") + R"(", "email": "p)" + std::to_string(i) +
                    R"(@x.io", "custom_fields": {"profile_field_16": )" + std::to_string(i) + "}}"},
                   {}, kTestNow + i * 1000);
        ASSERT_TRUE(result[0].outcome.ok());
    }
    EXPECT_EQ(Search("{}").total_count, 7);
    EXPECT_EQ(Search(R"({"tags_any": ["even"]})").total_count, 4);
    EXPECT_EQ(Search(R"({"tags_all": ["odd", "all"]})").total_count, 3);
    EXPECT_EQ(Search(R"({"status": "Won"})").total_count, 4);
    EXPECT_EQ(Search(R"({"status": "won"})").total_count, 0);
    EXPECT_EQ(Search(R"({"email": "P3@X.IO"})").contacts.at(0).emails[0], "p3@x.io");
    EXPECT_EQ(Search(R"({"phone": "+1 650 253 0012"})").total_count, 1);
    EXPECT_EQ(Search(R"({"custom_fields": {"profile_field_16": 5}})").total_count, 1);
    EXPECT_EQ(Search(R"({"custom_fields": {"profile_field_1": null}})").total_count, 7);
    EXPECT_EQ(Search(R"({"created_at": {"gte": 1767225602000, "lt": 1767225604000}})").total_count, 2);
    const auto page = Search(R"({"sort": {"field": "created_at", "order": "desc"}})", "2", "2");
    EXPECT_EQ(page.total_count, 7);
    ASSERT_EQ(page.contacts.size(), 2u);
    EXPECT_EQ(page.contacts[0].created_at, kTestNow + 4000);
    EXPECT_EQ(page.contacts[1].created_at, kTestNow + 3000);
    const auto past_end = Search("{}", "50", "10");
    EXPECT_TRUE(past_end.contacts.empty());
    EXPECT_EQ(past_end.total_count, 7);
}

}  // namespace
}  // namespace contactd::testing
