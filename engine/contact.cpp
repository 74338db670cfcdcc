#include "engine/contact.hpp"

#include <tuple>

namespace contactd::engine {

namespace {

auto DataFields(const Contact& c) {
    return std::tie(c.first_name, c.last_name, c.second_last_name, c.company_name, c.title, c.emails, c.phones,
                    c.whatsapp, c.tags, c.locations, c.status, c.priority, c.source, c.country_code, c.language,
                    c.whatsapp_transactional_opt_in, c.email_transactional_opt_in, c.whatsapp_marketing_opt_in,
                    c.email_marketing_opt_in, c.external_reference_id, c.external_reference_url, c.custom_fields,
                    c.identifier);
}

}  // namespace

bool Contact::SameData(const Contact& other) const { return DataFields(*this) == DataFields(other); }

}  // namespace contactd::engine
