#pragma once
// How a contact is stored: the column list, reading a row into an engine::Contact, and writing many
// contacts as one set of array parameters for the bulk upsert.

#include <pqxx/row>
#include <pqxx/transaction_base>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/contact.hpp"
#include "engine/workspace_settings.hpp"
#include "storage/copy_writer.hpp"
#include "storage/sql_params.hpp"

namespace contactd::storage {

//! The SELECT list that ContactFromRow reads, for a `contacts` table aliased `c`: this many columns, the
//! identifier at kIdentifierColumn.
extern const char* const kContactSelectList;
constexpr int kContactColumnCount = 27;
constexpr int kIdentifierColumn = 4;

//! Reads the contact starting at column `first` of `row` (laid out as kContactSelectList). Custom field
//! values are typed by the workspace's declarations.
engine::Contact ContactFromRow(const pqxx::row& row, const engine::WorkspaceSettings& settings, int first = 0);

//! `{"slug": value}` as stored in contacts.custom_fields: dates as Unix milliseconds.
std::string CustomFieldsToJson(const engine::CustomFields& fields);
//! The stored JSON read back, typed by the declarations (undeclared or mistyped slugs are skipped).
engine::CustomFields CustomFieldsFromJson(std::string_view json, const engine::WorkspaceSettings& settings);

//! Writes contacts set-based: new ones with one COPY, changed ones with one `UPDATE ... FROM unnest(...)`
//! that carries only the columns some contact changed, and changes a row only if its version is still the
//! one `before` had (so a write that raced ours is never overwritten). The caller keeps the contacts alive
//! until Render (or Execute).
class ContactWriter {
  public:
    explicit ContactWriter(std::string workspace_id) : workspace_id_(std::move(workspace_id)) {}

    void AddNew(const engine::Contact& contact) { new_.push_back(&contact); }
    //! `before` is the contact as stored; `after` what it becomes. `row` is the ctid `before` was read at,
    //! when known: the row is then updated there without a primary-key lookup.
    void AddChanged(const engine::Contact& before, const engine::Contact& after,
                    std::optional<std::string> row = std::nullopt);

    class Statements;
    //! The COPY and the UPDATE (each only when it has rows), rendered: no I/O, and nothing of the contacts is
    //! needed afterwards.
    Statements Render() const;
    //! Render().Execute(txn).
    void Execute(pqxx::transaction_base& txn) const;

  private:
    std::string workspace_id_;
    std::vector<const engine::Contact*> new_;
    //! A contact to update, with the version and (when known) the ctid it was read at.
    struct Changed {
        const engine::Contact* contact;
        std::int64_t read_version;
        std::optional<std::string> row;
    };
    void RenderUpdate(Statements& out, const std::vector<const Changed*>& rows, bool by_row) const;
    void RenderUpdateOne(Statements& out, const Changed& changed, bool by_row) const;
    void RenderInsertOne(Statements& out, const engine::Contact& contact) const;

    std::vector<Changed> changed_;
    std::uint32_t changed_columns_ = 0;  // bit i: column i of the stored row differs for some contact
};

//! A ContactWriter's statements, ready to send.
class ContactWriter::Statements {
  public:
    //! Runs them in order. Throws pqxx::serialization_failure when a changed contact is no longer at the
    //! version read (a concurrent writer got there first).
    void Execute(pqxx::transaction_base& txn) const;

  private:
    friend class ContactWriter;
    struct Statement {
        std::string sql;
        SqlParams params;
        bool fixed = false;           // prepared once per connection (SqlParams::ExecFixed)
        std::size_t must_change = 0;  // the rows it must change (its version check), 0: not checked
    };
    CopyRows new_rows_;                  // new contacts, when there are several
    std::vector<Statement> statements_;  // after the COPY, in order
};

}  // namespace contactd::storage
