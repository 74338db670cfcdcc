#pragma once
// JSON batch bodies (SPEC §6) read as a stream: `{"mode": "upsert", ..., "items": [ {...}, {...} ]}`, the
// members in any order. Each element of the top-level `items` array comes out as an item while the bytes
// arrive, in any pieces; every other top-level member is kept as (name, raw JSON text) for the caller to
// parse. The document's structure is checked on the way — strings and escapes, brackets, commas, colons,
// literals, number syntax, nothing after the document — and the first error is reported with its byte
// offset. Not checked here: UTF-8 and number ranges inside values (the caller parses each item and member
// with simdjson, which does).
//
// The error offset is that of the first byte that no valid document could have there (the body's length
// when it ends too early), so it does not depend on how the body was split into pieces.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/ndjson_splitter.hpp"

namespace contactd::ingest {

//! What is wrong with a JSON batch body.
enum class JsonBatchErrorKind : std::uint8_t {
    kSyntax,           // not well-formed JSON (or content after the document)
    kEmpty,            // nothing but white space
    kNotAnObject,      // the top-level value is not an object
    kItemsNotAnArray,  // `items` is there but is not an array
    kMissingItems,     // the top-level object has no `items` member
    kDuplicateMember,  // a top-level member is named twice
    kTooDeep,          // arrays and objects nested deeper than max_depth
    kTooManyMembers,   // more top-level members than max_members
};

//! A stable upper-case name for the kind: "SYNTAX", "EMPTY", "NOT_AN_OBJECT", "ITEMS_NOT_AN_ARRAY",
//! "MISSING_ITEMS", "DUPLICATE_MEMBER", "TOO_DEEP", "TOO_MANY_MEMBERS".
std::string_view JsonBatchErrorKindName(JsonBatchErrorKind kind);

//! The first thing wrong with the body, and where.
struct JsonBatchError {
    JsonBatchErrorKind kind = JsonBatchErrorKind::kSyntax;
    std::uint64_t offset = 0;  // 0-based byte offset in the (uncompressed) body
    std::string message;       // e.g. "invalid JSON at byte 17: expected ',' or '}'"
};

//! A top-level member other than `items`.
struct JsonBatchMember {
    std::string name;          // unescaped; empty when the name itself is over max_member_bytes
    std::string value;         // the value's raw JSON text (exactly as sent); empty when too_large
    std::uint64_t offset = 0;  // of the value's first byte in the body
    bool too_large = false;    // the name or the value is over max_member_bytes, and was not kept

    bool operator==(const JsonBatchMember&) const = default;
};

struct JsonBatchSplitterOptions {
    //! Longer `items` elements are emitted with too_large and without their bytes.
    std::uint64_t max_item_bytes = kDefaultMaxItemBytes;
    //! Longer names or values of other top-level members are not kept (JsonBatchMember::too_large).
    std::uint64_t max_member_bytes = kDefaultMaxItemBytes;
    //! Arrays and objects may nest this deep; the top-level object is depth 1. Bounds the memory of the check.
    std::size_t max_depth = 1024;
    //! Top-level members besides `items` (the options are a handful). Bounds the memory they take.
    std::size_t max_members = 64;
};

//! Splits a JSON batch document into items and options. One per body; not thread-safe. Elements inside one
//! fed piece are passed as views into it; only an element straddling pieces is copied, into a buffer that
//! never holds more than max_item_bytes.
class JsonBatchSplitter {
  public:
    explicit JsonBatchSplitter(JsonBatchSplitterOptions options = {});
    ~JsonBatchSplitter();
    JsonBatchSplitter(const JsonBatchSplitter&) = delete;
    JsonBatchSplitter& operator=(const JsonBatchSplitter&) = delete;

    //! Reads the next body bytes (any split), calling `sink` for each complete `items` element in order.
    //! Returns the first error; after it nothing more is emitted and every later call returns it again. When
    //! the sink returns false, Feed returns at once (no error) and the splitter is stopped: later calls do
    //! nothing.
    std::optional<JsonBatchError> Feed(std::string_view bytes, const BatchItemSink& sink);

    //! The body is complete. An error when it is empty, ends before the document does, or an earlier call
    //! failed.
    std::optional<JsonBatchError> Finish();

    //! The top-level members other than `items` read so far, in body order. Complete after Finish().
    const std::vector<JsonBatchMember>& members() const { return members_; }
    //! True once a sink returned false.
    bool stopped() const { return stopped_; }
    //! Body bytes fed so far.
    std::uint64_t bytes_fed() const { return bytes_fed_; }
    //! Bytes the straddling-element buffer has reserved (at most the larger of the two size limits).
    std::size_t buffer_capacity() const { return capture_.capacity(); }

  private:
    enum class State : std::uint8_t;
    enum class Capture : std::uint8_t;

    void Scan(const char* data, std::size_t size);
    const char* ScanString(const char* p, const char* end);
    const char* ScanLiteral(const char* p, const char* end);
    const char* ScanNumber(const char* p, const char* end);
    const char* ScanStructure(const char* p, const char* end);
    const char* StartValue(const char* p);
    const char* CloseBracket(const char* p);
    std::uint64_t OffsetOf(const char* at) const;
    void BeginValue(char first, std::uint64_t offset);
    void EndValue(std::uint64_t end);
    void EndKey(std::uint64_t end);
    void Push(char bracket, std::uint64_t offset);
    void StartCapture(Capture kind, std::uint64_t offset);
    std::string_view EndCapture(std::uint64_t end, bool& too_large);
    void KeepCaptureTail(const char* data, std::size_t size);
    std::uint64_t CaptureLimit() const;
    void Fail(JsonBatchErrorKind kind, std::uint64_t offset, std::string_view what);

    JsonBatchSplitterOptions options_;
    std::vector<JsonBatchMember> members_;
    std::optional<JsonBatchError> error_;
    const BatchItemSink* sink_ = nullptr;  // during Feed
    std::uint64_t bytes_fed_ = 0;
    std::uint64_t piece_offset_ = 0;  // body offset of the piece being scanned
    const char* piece_ = nullptr;     // the piece being scanned

    // The grammar: what comes next, and the open brackets ('{' or '[') from the top-level object down.
    State state_;
    std::string open_brackets_;
    bool string_is_key_ = false;
    const char* literal_rest_ = nullptr;  // the rest of "true", "false" or "null" still to come
    int hex_digits_left_ = 0;

    // The top level: which member's value is being read, and whether `items` has been seen.
    std::string member_name_;
    bool member_name_too_large_ = false;
    bool member_is_items_ = false;
    bool in_items_ = false;
    bool saw_items_ = false;

    // The item, member value or top-level name being read: where it began, and its bytes from earlier pieces
    // (unless it has outgrown its limit).
    Capture capture_kind_;
    std::uint64_t capture_offset_ = 0;
    bool capture_skipped_ = false;
    std::string capture_;

    bool stopped_ = false;
};

}  // namespace contactd::ingest
