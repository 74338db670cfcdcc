#pragma once
// Workspaces and their API keys: administration, and authentication of every API request.

#include <optional>
#include <string>

#include "engine/contact.hpp"
#include "engine/workspace_settings.hpp"
#include "storage/connection_pool.hpp"

namespace contactd::storage {

enum class KeyScope { kRead, kWrite };
std::string_view KeyScopeName(KeyScope scope);
std::optional<KeyScope> ParseKeyScope(std::string_view name);

//! A workspace as administrators see it.
struct WorkspaceRecord {
    engine::WorkspaceSettings settings;
    std::string webhook_secret;
    engine::Millis created_at = 0;
    engine::Millis updated_at = 0;
};

//! A key as created: the secret is returned this once and only its SHA-256 is stored.
struct CreatedKey {
    std::string key_id;
    std::string api_key;
    KeyScope scope = KeyScope::kWrite;
};

//! Who is calling: the key's workspace (with its settings) and scope.
struct Principal {
    engine::WorkspaceSettings workspace;
    std::string key_id;
    KeyScope scope = KeyScope::kRead;
};

//! Why a settings change was refused by stored data.
enum class UpdateStatus { kUpdated, kNotFound, kIdentifierInUse };

class WorkspaceStore {
  public:
    explicit WorkspaceStore(ConnectionPool& pool) : pool_(pool) {}

    //! Creates the workspace and its first write key in one transaction; nullopt when the id is taken.
    std::optional<std::pair<WorkspaceRecord, CreatedKey>> Create(const engine::WorkspaceSettings& settings,
                                                                 engine::Millis now);
    std::optional<WorkspaceRecord> Get(const std::string& id);
    //! Stores new settings. The identifier field may change only while the workspace has no contact.
    UpdateStatus Update(const engine::WorkspaceSettings& settings, engine::Millis now);

    //! A new key; nullopt when the workspace does not exist.
    std::optional<CreatedKey> CreateKey(const std::string& workspace_id, KeyScope scope, engine::Millis now);
    //! Revokes a key at once; false when there is no such live key.
    bool RevokeKey(const std::string& workspace_id, const std::string& key_id, engine::Millis now);

    //! The caller of an API key (live keys only), in one round trip.
    std::optional<Principal> Authenticate(const std::string& api_key);

  private:
    ConnectionPool& pool_;
};

//! The settings as the workspaces table stores them ($2..$11 of the insert and update).
std::string CustomFieldDefsToJson(const std::vector<engine::CustomFieldDef>& defs);
std::vector<engine::CustomFieldDef> CustomFieldDefsFromJson(const std::string& json);

}  // namespace contactd::storage
