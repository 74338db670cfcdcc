#include "storage/pg_array.hpp"

namespace contactd::storage {

void PgArrayBuilder::Separate() {
    if (count_++ > 0) text_.push_back(',');
}

PgArrayBuilder& PgArrayBuilder::Add(std::string_view element) {
    Separate();
    text_.push_back('"');
    for (const char c : element) {
        if (c == '"' || c == '\\') text_.push_back('\\');
        text_.push_back(c);
    }
    text_.push_back('"');
    return *this;
}

PgArrayBuilder& PgArrayBuilder::AddNull() {
    Separate();
    text_ += "NULL";
    return *this;
}

PgArrayBuilder& PgArrayBuilder::Add(const std::optional<std::string>& element) {
    return element ? Add(std::string_view(*element)) : AddNull();
}

std::string PgTextArray(const std::vector<std::string>& values) {
    PgArrayBuilder builder;
    for (const std::string& value : values) builder.Add(value);
    return builder.Finish();
}

std::optional<std::vector<std::string>> ParsePgTextArray(std::string_view literal) {
    std::vector<std::string> values;
    if (literal.size() < 2 || literal.front() != '{' || literal.back() != '}') return std::nullopt;
    std::size_t i = 1;
    const std::size_t end = literal.size() - 1;
    if (i == end) return values;
    while (i < end) {
        std::string value;
        if (literal[i] == '"') {
            ++i;
            while (i < end && literal[i] != '"') {
                if (literal[i] == '\\' && i + 1 < end) ++i;
                value.push_back(literal[i++]);
            }
            if (i >= end) return std::nullopt;
            ++i;  // closing quote
            values.push_back(std::move(value));
        } else {
            const std::size_t start = i;
            while (i < end && literal[i] != ',') ++i;
            const std::string_view bare = literal.substr(start, i - start);
            if (bare != "NULL") values.emplace_back(bare);
        }
        if (i < end) {
            if (literal[i] != ',') return std::nullopt;
            ++i;
        }
    }
    return values;
}

}  // namespace contactd::storage
