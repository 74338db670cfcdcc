#include "storage/pg_array.hpp"

namespace contactd::storage {

void PgArrayBuilder::Separate() {
    if (count_++ > 0) text_.push_back(',');
}

PgArrayBuilder& PgArrayBuilder::Add(std::string_view element) {
    // Elements are quoted whole; only '"' and '\\' need a backslash. Runs between them are appended at once
    // (a chunk's arrays hold thousands of elements, and this was a visible share of building them).
    Separate();
    text_.reserve(text_.size() + element.size() + 2);
    text_.push_back('"');
    std::size_t run = 0;
    for (std::size_t i = 0; i < element.size(); ++i) {
        if (element[i] != '"' && element[i] != '\\') continue;
        text_.append(element.data() + run, i - run);
        text_.push_back('\\');
        run = i;
    }
    text_.append(element.data() + run, element.size() - run);
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
                // Up to the next quote or backslash in one append.
                std::size_t run = i + 1;
                while (run < end && literal[run] != '"' && literal[run] != '\\') ++run;
                value.append(literal.data() + i, run - i);
                i = run;
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
