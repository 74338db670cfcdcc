#pragma once
// Whether one batch item's bytes are exactly one valid JSON value (SPEC §6: a line that is not valid JSON, or
// not an object, is that item's INVALID_ITEM). Full validation — grammar, escapes, numbers, UTF-8 — with
// simdjson; only when that fails is the item walked again, slowly, to find where.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace contactd::ingest {

//! Why an item is not valid JSON, and where.
struct ItemSyntaxError {
    //! 0-based byte offset within the item: the first byte that cannot be there (the item's length when it
    //! ends too early), except for an unclosed string, where it is the string's opening quote. Add
    //! BatchItem::offset for the offset in the body.
    std::uint64_t offset = 0;
    //! Without the offset, for the caller to place: e.g. "invalid JSON: unclosed string".
    std::string message;
};

//! The verdict on one item: valid or not, and if valid whether it is an object.
struct ItemSyntaxResult {
    std::optional<ItemSyntaxError> error;
    bool is_object = false;  // valid, and the value is an object

    bool valid() const { return !error.has_value(); }
};

//! Checks items one after another, reusing one simdjson parser and one padded copy buffer (so the memory is
//! that of the largest item seen). One per thread; not thread-safe.
class ItemSyntaxChecker {
  public:
    ItemSyntaxChecker();
    ~ItemSyntaxChecker();
    ItemSyntaxChecker(const ItemSyntaxChecker&) = delete;
    ItemSyntaxChecker& operator=(const ItemSyntaxChecker&) = delete;

    //! Checks that `item` holds exactly one JSON value (RFC 8259), white space around it allowed. What the
    //! grammar allows but simdjson refuses — numbers beyond its range (`1e400`, integers past 64 bits) and
    //! lone surrogate escapes (`"\ud800"`) — passes, as in JsonInputParser: judging those values is the
    //! engine's business.
    ItemSyntaxResult Check(std::string_view item);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace contactd::ingest
