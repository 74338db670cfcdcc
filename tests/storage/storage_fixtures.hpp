#pragma once
// Shared set-up for storage tests: a pool on the test cluster, a fresh workspace per test, and writes
// stated as JSON.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <memory>
#include <string>

#include "engine/validation.hpp"
#include "engine/workspace_admin.hpp"
#include "storage/chunk_preparation.hpp"
#include "storage/commit_path.hpp"
#include "storage/connection_pool.hpp"
#include "storage/contact_claims.hpp"
#include "storage/contact_store.hpp"
#include "storage/workspace_store.hpp"
#include "tests/engine/json_text.hpp"
#include "tests/support/test_cluster.hpp"

namespace contactd::testing {

inline constexpr engine::Millis kTestNow = 1767225600000;  // 2026-01-01T00:00:00Z

//! A test with its own workspace (identifier field chosen per test) on the shared cluster.
class StorageTest : public ::testing::Test {
  protected:
    void SetUp() override { UseWorkspace(engine::IdentifierField::kPhone); }

    void UseWorkspace(engine::IdentifierField identifier) {
        const std::string id = test_support::TestCluster::UniqueId("ws");
        auto edit = engine::NewWorkspaceSettings(J(R"({"id": ")" + id + R"("})"));
        ASSERT_TRUE(edit.ok());
        edit.settings.identifier_field = identifier;
        edit.settings.default_country = "US";
        auto created = workspaces_.Create(edit.settings, kTestNow);
        ASSERT_TRUE(created.has_value());
        settings_ = created->first.settings;
    }

    engine::ContactWrite Item(std::string_view json, engine::WriteMode mode = engine::WriteMode::kUpsert) {
        auto write = engine::ValidateWrite(J(json), settings_, {.batch_item = true, .mode = mode});
        EXPECT_TRUE(write.ok()) << json;
        return write.ok() ? std::move(write).value() : engine::ContactWrite{};
    }

    //! Commits `items` as one run in one transaction.
    std::vector<storage::ItemResult> Commit(const std::vector<std::string>& items, engine::WriteOptions options = {},
                                            engine::Millis now = kTestNow) {
        std::vector<storage::CommitItem> run;
        for (const std::string& json : items) run.push_back({Item(json, options.mode), std::nullopt});
        auto connection = pool_.Acquire();
        pqxx::work txn(*connection);
        auto results = storage::CommitItems(txn, {settings_, options, now}, run);
        txn.commit();
        return results;
    }

    storage::ItemResult CommitOne(const std::string& item, engine::WriteOptions options = {}) {
        return Commit({item}, options)[0];
    }

    //! Counts rows of a query with the workspace id as $1.
    std::int64_t Count(const std::string& sql) {
        auto connection = pool_.Acquire();
        pqxx::read_transaction txn(*connection);
        return txn.exec_params(sql, settings_.id)[0][0].as<std::int64_t>();
    }

    //! True when contact_keys holds exactly the claims the stored contacts imply (no orphan, no gap).
    bool ClaimsMatchContacts() {
        std::set<std::string> expected;
        auto connection = pool_.Acquire();
        pqxx::read_transaction txn(*connection);
        for (const auto& row : txn.exec_params("SELECT id::text FROM contacts WHERE workspace_id = $1", settings_.id)) {
            const auto contact = store_.Get(settings_, row[0].c_str());
            if (!contact) return false;
            for (const auto& claim : storage::ClaimsOf(*contact, settings_.identifier_field)) {
                expected.insert(std::to_string(static_cast<int>(claim.kind)) + "|" + claim.value + "|" + contact->id);
            }
        }
        std::set<std::string> actual;
        for (const auto& row : txn.exec_params(
                 "SELECT kind, value, contact_id::text FROM contact_keys WHERE workspace_id = $1", settings_.id)) {
            actual.insert(std::string(row[0].c_str()) + "|" + row[1].c_str() + "|" + row[2].c_str());
        }
        EXPECT_EQ(actual, expected);
        return actual == expected;
    }

    storage::ConnectionPool pool_{test_support::TestCluster::Url(), 8};
    storage::WorkspaceStore workspaces_{pool_};
    storage::ContactStore store_{pool_};
    engine::WorkspaceSettings settings_;
};

//! Parses items with the test reader (the product uses simdjson in ingest; storage takes any parser).
inline storage::ItemParser TestParser() {
    return [](std::string_view text, std::string& error) -> std::optional<engine::Json> {
        try {
            return JsonText::Parse(text);
        } catch (const std::exception& e) {
            error = e.what();
            return std::nullopt;
        }
    };
}

inline engine::Code IgnoredCode(const storage::ItemResult& result) {
    return result.outcome.ignored_code.value_or(engine::Code::kInvalidItem);
}

}  // namespace contactd::testing
