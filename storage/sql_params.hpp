#pragma once
// A run-time list of statement parameters (text format, NULL allowed) for libpqxx 6's exec_params and
// exec_prepared, whose variadic interface cannot express "N parameters decided at run time, some NULL".

#include <pqxx/transaction_base>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::storage {

//! Parameters $1..$n in the order they are added.
class SqlParams {
  public:
    SqlParams& Add(std::string value);
    SqlParams& Add(std::string_view value) { return Add(std::string(value)); }
    SqlParams& Add(const char* value) { return Add(std::string(value)); }
    SqlParams& Add(std::int64_t value) { return Add(std::to_string(value)); }
    SqlParams& Add(int value) { return Add(std::to_string(value)); }
    SqlParams& Add(const std::optional<std::string>& value);
    SqlParams& AddNull();

    //! `$<n>` for the parameter added next, so SQL can be built alongside the list.
    std::string NextPlaceholder() const { return "$" + std::to_string(values_.size() + 1); }
    std::size_t size() const { return values_.size(); }

    pqxx::result Exec(pqxx::transaction_base& txn, const std::string& sql) const;
    pqxx::result ExecPrepared(pqxx::transaction_base& txn, const std::string& statement) const;
    //! Runs `sql` as a statement prepared once per connection, named after a hash of its text, so that a
    //! statement run for every request is parsed and planned once. Only for SQL whose text is fixed (values
    //! always travel as parameters): each distinct text stays prepared on the connection.
    pqxx::result ExecFixed(pqxx::transaction_base& txn, const std::string& sql) const;

  private:
    std::vector<const char*> Pointers() const;

    std::vector<std::optional<std::string>> values_;
};

}  // namespace contactd::storage
