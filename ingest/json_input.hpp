#pragma once
// Request bodies (and batch items) from bytes to engine::Json, with simdjson's On Demand parser. Bad input
// is an error value with a byte offset, never an exception and never a crash. The tree keeps what the
// engine needs to judge values: member order, every number's token text, integers past int64, and lone
// surrogate escapes (as WTF-8 bytes, so the engine reports INVALID_CHARACTERS on that one field instead of
// the whole body failing).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "engine/json.hpp"
#include "ingest/http_types.hpp"

namespace contactd::ingest {

//! Why bytes are not an acceptable JSON document.
enum class JsonInputErrorKind : std::uint8_t {
    kEmpty,            // nothing but white space
    kSyntax,           // broken syntax: a bad token, escape, number, comma, brace, ...
    kInvalidUtf8,      // bytes that are not UTF-8
    kTooDeep,          // arrays/objects nested deeper than JsonInputOptions::max_depth
    kDuplicateMember,  // an object names the same member twice
    kTrailingContent,  // more after the value: `{"a":1} x`
    kTooLarge,         // beyond what the parser can hold (4 GiB)
};

//! A stable upper-case name for the kind: "EMPTY", "SYNTAX", "INVALID_UTF8", "TOO_DEEP",
//! "DUPLICATE_MEMBER", "TRAILING_CONTENT", "TOO_LARGE".
std::string_view JsonInputErrorKindName(JsonInputErrorKind kind);

//! Where and why parsing failed. `offset` is the 0-based byte offset in the input (at most its size).
struct JsonInputError {
    JsonInputErrorKind kind = JsonInputErrorKind::kSyntax;
    std::size_t offset = 0;
    std::string message;  // e.g. "invalid JSON at byte 17: expected ',' or ']'"
};

struct JsonInputOptions {
    //! Arrays and objects may nest this deep; the root container is depth 1.
    std::size_t max_depth = 64;
    //! An object naming a member twice is an error (else both are kept, in order, for the engine to judge).
    bool reject_duplicate_members = true;
};

//! A parsed value or the error.
class JsonInputResult {
  public:
    JsonInputResult(engine::Json value) : state_(std::move(value)) {}    // NOLINT(google-explicit-constructor)
    JsonInputResult(JsonInputError error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const engine::Json& value() const& { return std::get<0>(state_); }
    engine::Json&& value() && { return std::get<0>(std::move(state_)); }
    const JsonInputError& error() const { return std::get<1>(state_); }

  private:
    std::variant<engine::Json, JsonInputError> state_;
};

//! A reusable parser: keeps simdjson's buffers between documents. One per thread; not thread-safe.
class JsonInputParser {
  public:
    explicit JsonInputParser(JsonInputOptions options = {});
    ~JsonInputParser();
    JsonInputParser(const JsonInputParser&) = delete;
    JsonInputParser& operator=(const JsonInputParser&) = delete;

    void SetOptions(const JsonInputOptions& options);

    //! Parses one JSON document (copying it into a padded buffer simdjson can read past the end of).
    JsonInputResult Parse(std::string_view bytes);

    //! Parses `bytes` where it lies, first growing its capacity by SIMDJSON_PADDING if needed (which may
    //! reallocate, but never copies twice). For big bodies held in a std::string.
    JsonInputResult ParseInPlace(std::string& bytes);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

//! Parses with a per-thread parser (a one-off parser for very large documents, so a thread does not keep
//! a huge buffer afterwards).
JsonInputResult ParseJsonInput(std::string_view bytes, const JsonInputOptions& options = {});

//! 400 INVALID_JSON with the message and `"offset"` in the error object.
HttpResponse InvalidJsonResponse(const JsonInputError& error);

}  // namespace contactd::ingest
