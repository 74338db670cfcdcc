#pragma once
// Rows appended to a table with COPY (text format) inside the current transaction: the fastest way to
// insert many rows, and what the commit path uses for new contacts and new unique-value claims.

#include <pqxx/transaction_base>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pqxx {
class tablewriter;
}

namespace contactd::storage {

//! A COPY into one table. Fields are given one by one, in the order of the columns, then EndRow().
class CopyWriter {
  public:
    CopyWriter(pqxx::transaction_base& txn, const std::string& table, const std::vector<std::string>& columns);
    ~CopyWriter();

    CopyWriter& Field(std::string_view value);
    CopyWriter& Field(const std::string& value) { return Field(std::string_view(value)); }
    CopyWriter& Field(const std::optional<std::string>& value);
    CopyWriter& Null();
    void EndRow();
    //! Ends the COPY; throws the database's error (a unique violation, for instance).
    void Complete();

  private:
    std::unique_ptr<pqxx::tablewriter> writer_;
    std::string line_;
    bool first_field_ = true;
};

}  // namespace contactd::storage
