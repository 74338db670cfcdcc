#pragma once
// Shared settings and helpers for engine tests.

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>

#include "engine/validation.hpp"
#include "engine/workspace_settings.hpp"
#include "json_text.hpp"

namespace contactd::engine {
// Readable names in assertion failures.
inline void PrintTo(Code code, std::ostream* os) { *os << CodeName(code); }
inline void PrintTo(Status status, std::ostream* os) { *os << StatusName(status); }
inline void PrintTo(Action action, std::ostream* os) { *os << ActionName(action); }
}  // namespace contactd::engine

namespace contactd::testing {

//! A workspace like a new one, plus a few declared fields the tests need.
inline engine::WorkspaceSettings TestWorkspace(engine::IdentifierField identifier = engine::IdentifierField::kPhone) {
    engine::WorkspaceSettings settings;
    settings.id = "ws-test";
    settings.name = "Test";
    settings.identifier_field = identifier;
    settings.lead_stages = {"New", "Qualified", "Won"};
    settings.custom_fields = engine::DefaultCustomFields();
    settings.custom_fields.push_back({"vip", engine::CustomFieldType::kBoolean, 0});
    settings.custom_fields.push_back({"code", engine::CustomFieldType::kText, 5});
    settings.date_format = "%d/%m/%Y";
    return settings;
}

//! Validates a single-contact body (not a batch item).
inline engine::ContactWrite Validate(std::string_view json, const engine::WorkspaceSettings& settings) {
    auto checked = engine::ValidateWrite(J(json), settings, {});
    if (!checked.ok()) ADD_FAILURE() << "validation refused the whole body: " << checked.problem().message;
    return checked.ok() ? std::move(checked).value() : engine::ContactWrite{};
}

//! The remark for `field`, or nullptr.
inline const engine::Remark* RemarkFor(const std::vector<engine::Remark>& remarks, std::string_view field) {
    const auto it = std::find_if(remarks.begin(), remarks.end(), [&](const auto& r) { return r.field == field; });
    return it == remarks.end() ? nullptr : &*it;
}

//! `count` copies of `unit`.
inline std::string Repeat(std::string_view unit, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) out += unit;
    return out;
}

}  // namespace contactd::testing
