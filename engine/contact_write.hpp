#pragma once
// A validated write: what one request body or batch item asks to change, every value already checked
// and normalised, plus the remarks for whatever was dropped on the way.

#include <bitset>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/contact.hpp"
#include "engine/fields.hpp"
#include "engine/outcome.hpp"

namespace contactd::engine {

enum class WriteMode { kUpsert, kCreate, kUpdate };
enum class Semantics { kPatch, kPut };

std::string_view WriteModeName(WriteMode mode);
std::string_view SemanticsName(Semantics semantics);
std::optional<WriteMode> ParseWriteMode(std::string_view name);
std::optional<Semantics> ParseSemantics(std::string_view name);

//! A change to one list field: a full replacement, or `{"add": [...], "remove": [...]}`.
struct ListChange {
    bool replace = true;
    std::vector<std::string> values;  // replace: the new list (deduplicated, order kept)
    std::vector<std::string> add;     // appended when absent (after removals)
    std::vector<std::string> remove;  // removed when present
};

//! A validated write. Scalars live in `values`, with `given` saying which ones are set (or cleared).
struct ContactWrite {
    Contact values;
    std::bitset<kFieldCount> given;

    std::optional<ListChange> emails, phones, tags, locations;
    //! Shorthands: outer optional = named, inner = value or null (remove the primary).
    std::optional<std::optional<std::string>> email, phone;
    //! Named custom fields: slug → value or null. `custom_fields_named` when the key was present at all.
    std::map<std::string, std::optional<CustomValue>> custom_fields;
    bool custom_fields_named = false;
    //! Declared slugs whose new value was refused: a PUT keeps their stored value instead of clearing it.
    std::vector<std::string> custom_fields_dropped;

    //! Fields the input named (custom field slugs counted one by one) and how many of them were dropped.
    int named_fields = 0;
    int dropped_fields = 0;
    std::vector<Remark> remarks;

    // Batch item controls (not contact fields).
    std::optional<std::string> id;  // selects the contact (batch upsert/update)
    std::optional<std::string> ref;
    std::optional<std::int64_t> expected_version;

    bool AllNamedFieldsDropped() const { return named_fields > 0 && dropped_fields == named_fields; }
};

}  // namespace contactd::engine
