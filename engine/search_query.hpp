#pragma once
// Contact search (SPEC §5 search, §9 "Search"): the request body and paging parameters, validated into a
// query that storage turns into SQL.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/contact.hpp"
#include "engine/json.hpp"
#include "engine/outcome.hpp"
#include "engine/workspace_settings.hpp"

namespace contactd::engine {

//! A half-open time range [gte, lt); either bound may be absent.
struct TimeRange {
    std::optional<Millis> gte;
    std::optional<Millis> lt;
};

enum class SortField { kCreatedAt, kUpdatedAt };

//! A validated search. Every filter present must match (AND).
struct SearchQuery {
    std::optional<std::string> email;  // normalised like writes; matches any of a contact's e-mails
    std::optional<std::string> phone;  // normalised like writes; matches any of a contact's phones
    std::optional<std::string> whatsapp;
    std::optional<std::string> external_reference_id;
    std::optional<std::string> status;
    std::vector<std::string> tags_any;
    std::vector<std::string> tags_all;
    TimeRange created_at;
    TimeRange updated_at;
    //! slug → value (nullopt: the field is null), by the declared type.
    std::vector<std::pair<std::string, std::optional<CustomValue>>> custom_fields;
    SortField sort_field = SortField::kCreatedAt;
    bool descending = false;
    std::int64_t skip = 0;
    std::int32_t limit = 50;
    //! True when a filter can match no contact (an unknown status): storage answers without querying.
    bool matches_nothing = false;
};

//! A refused search: the message for the 400 and the remarks naming each bad filter.
struct SearchQueryError {
    std::string message;
    std::vector<Remark> remarks;
};

//! Either a query or the reason it was refused.
struct ParsedSearch {
    std::optional<SearchQuery> query;
    SearchQueryError error;
};

inline constexpr std::int32_t kSearchMaxLimit = 100;

//! Validates the body (an object; an empty body means no filters) and the `skip`/`limit` query parameters
//! (as given, absent when not given). `limit` outside 1..100 → "Limit should be between 1 and 100".
ParsedSearch ParseSearchQuery(const Json* body, std::optional<std::string_view> skip,
                              std::optional<std::string_view> limit, const WorkspaceSettings& settings);

}  // namespace contactd::engine
