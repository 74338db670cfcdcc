#pragma once
// How a contact is stored: the column list, reading a row into an engine::Contact, and writing many
// contacts as one set of array parameters for the bulk upsert.

#include <pqxx/row>
#include <pqxx/transaction_base>

#include <map>
#include <memory>
#include <string>

#include "engine/contact.hpp"
#include "engine/workspace_settings.hpp"

namespace contactd::storage {

//! The SELECT list that ContactFromRow reads, for a `contacts` table aliased `c`.
extern const char* const kContactSelectList;

//! Reads the contact starting at column `first` of `row` (laid out as kContactSelectList). Custom field
//! values are typed by the workspace's declarations.
engine::Contact ContactFromRow(const pqxx::row& row, const engine::WorkspaceSettings& settings, int first = 0);

//! `{"slug": value}` as stored in contacts.custom_fields: dates as Unix milliseconds.
std::string CustomFieldsToJson(const std::map<std::string, engine::CustomValue>& fields);
//! The stored JSON read back, typed by the declarations (undeclared or mistyped slugs are skipped).
std::map<std::string, engine::CustomValue> CustomFieldsFromJson(const std::string& json,
                                                                const engine::WorkspaceSettings& settings);

//! Inserts new contacts and overwrites changed ones with one statement: `INSERT ... SELECT FROM
//! unnest(...) ON CONFLICT (workspace_id, id) DO UPDATE SET col = EXCLUDED.col`. The caller holds the
//! row locks of the contacts it overwrites.
class ContactUpsertBatch {
  public:
    explicit ContactUpsertBatch(std::string workspace_id);
    ~ContactUpsertBatch();
    ContactUpsertBatch(ContactUpsertBatch&&) noexcept;

    void Add(const engine::Contact& contact);
    std::size_t size() const { return count_; }
    //! Runs the upsert (nothing when empty).
    void Execute(pqxx::transaction_base& txn) const;

  private:
    struct Columns;
    std::string workspace_id_;
    std::size_t count_ = 0;
    std::unique_ptr<Columns> columns_;
};

}  // namespace contactd::storage
