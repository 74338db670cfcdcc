#include "storage/copy_writer.hpp"

// libpqxx 6.4 offers raw COPY lines only through tablewriter: its successor, stream_to, takes fixed-size
// tuples and keeps write_raw_line private. tablewriter is deprecated there, not gone.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/tablewriter>

namespace contactd::storage {

CopyWriter::CopyWriter(pqxx::transaction_base& txn, const std::string& table, const std::vector<std::string>& columns)
    : writer_(std::make_unique<pqxx::tablewriter>(txn, table, columns.begin(), columns.end())) {}

CopyWriter::~CopyWriter() = default;

CopyWriter& CopyWriter::Field(std::string_view value) {
    if (!first_field_) line_.push_back('\t');
    first_field_ = false;
    for (const char c : value) {  // the COPY text format's escapes
        switch (c) {
            case '\\':
                line_ += "\\\\";
                break;
            case '\n':
                line_ += "\\n";
                break;
            case '\r':
                line_ += "\\r";
                break;
            case '\t':
                line_ += "\\t";
                break;
            default:
                line_.push_back(c);
        }
    }
    return *this;
}

CopyWriter& CopyWriter::Field(const std::optional<std::string>& value) {
    return value ? Field(std::string_view(*value)) : Null();
}

CopyWriter& CopyWriter::Null() {
    if (!first_field_) line_.push_back('\t');
    first_field_ = false;
    line_ += "\\N";
    return *this;
}

void CopyWriter::EndRow() {
    writer_->write_raw_line(line_);
    line_.clear();
    first_field_ = true;
}

void CopyWriter::Complete() { writer_->complete(); }

}  // namespace contactd::storage

#pragma GCC diagnostic pop
