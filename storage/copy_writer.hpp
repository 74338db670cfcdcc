#pragma once
// Rows appended to a table with COPY (text format) inside the current transaction: the fastest way to
// insert many rows, and what the commit path uses for new contacts and new unique-value claims. The rows are
// built first (CopyRows: no connection needed, so a batch chunk's rows can be built on another thread while
// the chunk before is written), then sent in one piece (CopyInto).

#include <pqxx/transaction_base>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::storage {

//! Rows in COPY's text format. Fields are given one by one, in the order of the columns, then EndRow().
class CopyRows {
  public:
    CopyRows& Field(std::string_view value);
    CopyRows& Field(const std::string& value) { return Field(std::string_view(value)); }
    CopyRows& Field(const char* value) { return Field(std::string_view(value)); }
    CopyRows& Field(const std::optional<std::string>& value);
    CopyRows& Null();
    void EndRow();

    std::size_t row_count() const { return rows_; }
    bool empty() const { return rows_ == 0; }
    //! The rows, each ending in a newline.
    const std::string& text() const { return text_; }

  private:
    void StartField();

    std::string text_;
    std::size_t rows_ = 0;
    bool row_open_ = false;
};

//! Sends `rows` to `table` with `COPY ... FROM STDIN`; throws the database's error (a unique violation, for
//! instance). Nothing is sent for no rows.
void CopyInto(pqxx::transaction_base& txn, const std::string& table, const std::vector<std::string>& columns,
              const CopyRows& rows);

}  // namespace contactd::storage
