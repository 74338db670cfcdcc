#pragma once
// The contact record (SPEC §2) as the engine sees it: validated, normalised values only.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/custom_fields.hpp"

namespace contactd::engine {

//! A contact. Optional scalars are null when empty; arrays are empty when null.
struct Contact {
    std::string id;  // canonical lower-case UUID
    std::string workspace_id;
    std::int64_t version = 0;
    Millis created_at = 0;
    Millis updated_at = 0;

    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::optional<std::string> second_last_name;
    std::optional<std::string> company_name;
    std::optional<std::string> title;

    std::vector<std::string> emails;  // lower-case; emails[0] is the primary
    std::vector<std::string> phones;  // E.164; phones[0] is the primary
    std::optional<std::string> whatsapp;
    std::vector<std::string> tags;
    std::vector<std::string> locations;

    std::optional<std::string> status;
    std::optional<std::int32_t> priority;
    std::optional<std::string> source;
    std::optional<std::string> country_code;  // upper-case ISO 3166-1 alpha-2
    std::optional<std::string> language;      // lower-case ISO 639-1

    std::optional<bool> whatsapp_transactional_opt_in;
    std::optional<bool> email_transactional_opt_in;
    std::optional<bool> whatsapp_marketing_opt_in;
    std::optional<bool> email_marketing_opt_in;

    std::optional<std::string> external_reference_id;
    std::optional<std::string> external_reference_url;

    CustomFields custom_fields;  // by slug; a missing slug is null

    //! The workspace identifier value, fixed once the contact first has one (SPEC §9).
    std::optional<std::string> identifier;

    //! Equality of the user-visible data (not id, version or timestamps): "unchanged" detection.
    bool SameData(const Contact& other) const;
};

}  // namespace contactd::engine
