#include "storage/copy_writer.hpp"

// libpqxx 6.4 offers raw COPY data only through tablewriter: its successor, stream_to, takes fixed-size
// tuples and keeps write_raw_line private. tablewriter is deprecated there, not gone.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/tablewriter>

namespace contactd::storage {

void CopyRows::StartField() {
    if (row_open_) text_.push_back('\t');
    row_open_ = true;
}

CopyRows& CopyRows::Field(std::string_view value) {
    // COPY's text format escapes backslash, newline, carriage return and tab. Runs between them are appended
    // at once: a chunk's new contacts are tens of thousands of fields, most with nothing to escape.
    StartField();
    text_.reserve(text_.size() + value.size());
    std::size_t run = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c != '\\' && c != '\n' && c != '\r' && c != '\t') continue;
        text_.append(value.data() + run, i - run);
        text_.push_back('\\');
        text_.push_back(c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : '\\');
        run = i + 1;
    }
    text_.append(value.data() + run, value.size() - run);
    return *this;
}

CopyRows& CopyRows::Field(const std::optional<std::string>& value) {
    return value ? Field(std::string_view(*value)) : Null();
}

CopyRows& CopyRows::Null() {
    StartField();
    text_ += "\\N";
    return *this;
}

void CopyRows::EndRow() {
    text_.push_back('\n');
    row_open_ = false;
    ++rows_;
}

void CopyInto(pqxx::transaction_base& txn, const std::string& table, const std::vector<std::string>& columns,
              const CopyRows& rows) {
    if (rows.empty()) return;
    pqxx::tablewriter writer(txn, table, columns.begin(), columns.end());
    // COPY's data is a byte stream, not a message per row: the whole text goes as one "line", one copy and
    // one send instead of two per row. (libpqxx strips one final newline and appends one, so every row keeps
    // its own, an empty last row included.)
    writer.write_raw_line(rows.text());
    writer.complete();
}

}  // namespace contactd::storage

#pragma GCC diagnostic pop
