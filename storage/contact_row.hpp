#pragma once
// How a contact is stored: the column list, reading a row into an engine::Contact, and writing many
// contacts as one set of array parameters for the bulk upsert.

#include <pqxx/row>
#include <pqxx/transaction_base>

#include <map>
#include <memory>
#include <string>
#include <vector>

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

//! Writes contacts set-based: new ones with one COPY, changed ones with one `UPDATE ... FROM unnest(...)`.
//! The caller holds the row locks of the contacts it changes.
class ContactWriter {
  public:
    explicit ContactWriter(std::string workspace_id);
    ~ContactWriter();
    ContactWriter(ContactWriter&&) noexcept;

    void AddNew(const engine::Contact& contact);
    void AddChanged(const engine::Contact& contact);
    //! Runs the COPY and the UPDATE (each only when it has rows).
    void Execute(pqxx::transaction_base& txn) const;

  private:
    struct Columns;
    std::string workspace_id_;
    std::vector<const engine::Contact*> new_;
    std::size_t changed_ = 0;
    std::unique_ptr<Columns> columns_;
};

}  // namespace contactd::storage
