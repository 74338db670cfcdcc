#pragma once
// PostgreSQL array literals: written for bulk parameters (`unnest($2::text[])`), read back from text
// output. Built by hand because libpqxx 6 has no array conversions for parameters.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::storage {

//! Builds a one-dimensional array literal, element by element: `{"a","b\"c",NULL}`.
class PgArrayBuilder {
  public:
    PgArrayBuilder& Add(std::string_view element);
    PgArrayBuilder& Add(const std::string& element) { return Add(std::string_view(element)); }
    PgArrayBuilder& Add(const char* element) { return Add(std::string_view(element)); }
    PgArrayBuilder& AddNull();
    PgArrayBuilder& Add(const std::optional<std::string>& element);
    //! The literal.
    std::string Finish() const { return text_ + "}"; }
    std::size_t size() const { return count_; }
    void Reserve(std::size_t bytes) { text_.reserve(bytes); }

  private:
    void Separate();

    std::string text_ = "{";
    std::size_t count_ = 0;
};

//! The literal of a text[] value.
std::string PgTextArray(const std::vector<std::string>& values);

//! Parses the text output of a one-dimensional text[] (NULL elements are skipped: contacts never store
//! them). Returns nothing for a malformed literal.
std::optional<std::vector<std::string>> ParsePgTextArray(std::string_view literal);

}  // namespace contactd::storage
