// ingest/json_input: a realistic batch item parsed into engine::Json, beside a bare simdjson On Demand pass
// that visits the same values (the physical floor for this input). Both compute the same summary of the
// document, checked against the expected figures before timing, so a fast wrong answer fails.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/json.hpp"
#include "ingest/json_input.hpp"

namespace {

using contactd::engine::Json;
namespace od = simdjson::ondemand;

constexpr std::string_view kContactItem =
    R"({"ref":"row-000123","first_name":"María José","last_name":"García-López",)"
    R"("company_name":"Acme Iberia S.L.","title":"Head of Procurement","email":"maria.garcia@example.com",)"
    R"("emails":["maria.garcia@example.com","mj@personal.example.org"],"phone":"+34 600 123 456",)"
    R"("phones":["+34600123456","+34 91 123 45 67"],"whatsapp":"+34600123456",)"
    R"("tags":{"add":["vip","madrid","q3-campaign"],"remove":["cold"]},"locations":["Madrid, ES","Sevilla, ES"],)"
    R"("status":"Qualified","priority":2,"source":"api","country_code":"es","language":"ES",)"
    R"("email_marketing_opt_in":true,"whatsapp_transactional_opt_in":false,"external_reference_id":"crm-7781-aa",)"
    R"("external_reference_url":"https://crm.example.com/contacts/7781","custom_fields":{"profile_field_1":"Enterprise",)"
    R"("profile_field_16":125000.5,"profile_field_17":42,"profile_field_26":"2026-01-15T10:30:00Z",)"
    R"("profile_field_2":"L\u00ednea 1\nL\u00ednea 2 \ud83d\ude00","profile_field_3":null},"expected_version":3})";

//! What both parsers must agree on: every value visited, string bytes after unescaping, integer sum.
struct Summary {
    std::int64_t values = 0;
    std::int64_t string_bytes = 0;
    std::int64_t integer_sum = 0;
    bool operator==(const Summary&) const = default;
};

// Computed independently (Python json) from kContactItem: 42 values counting containers, 705 bytes of
// keys and unescaped strings, integers 2 + 42 + 3.
constexpr Summary kExpected{42, 705, 47};

void Summarize(const Json& json, Summary& summary) {
    ++summary.values;
    switch (json.kind()) {
        case Json::Kind::kString:
            summary.string_bytes += static_cast<std::int64_t>(json.text().size());
            break;
        case Json::Kind::kNumber:
            if (json.FitsInt64()) summary.integer_sum += json.AsInt64();
            break;
        case Json::Kind::kArray:
            for (const Json& element : json.elements()) Summarize(element, summary);
            break;
        case Json::Kind::kObject:
            for (const auto& [key, value] : json.members()) {
                summary.string_bytes += static_cast<std::int64_t>(key.size());
                Summarize(value, summary);
            }
            break;
        default:
            break;
    }
}

bool Summarize(od::value value, Summary& summary) {
    ++summary.values;
    od::json_type type;
    if (value.type().get(type)) return false;
    switch (type) {
        case od::json_type::string: {
            std::string_view text;
            if (value.get_string().get(text)) return false;
            summary.string_bytes += static_cast<std::int64_t>(text.size());
            return true;
        }
        case od::json_type::number: {
            std::int64_t integer = 0;
            double real = 0;
            if (value.get_int64().get(integer) == simdjson::SUCCESS) {
                summary.integer_sum += integer;
                return true;
            }
            return value.get_double().get(real) == simdjson::SUCCESS;
        }
        case od::json_type::boolean: {
            bool flag = false;
            return value.get_bool().get(flag) == simdjson::SUCCESS;
        }
        case od::json_type::null: {
            bool is_null = false;
            return value.is_null().get(is_null) == simdjson::SUCCESS && is_null;
        }
        case od::json_type::array: {
            od::array array;
            if (value.get_array().get(array)) return false;
            for (auto element : array) {
                od::value child;
                if (std::move(element).get(child) || !Summarize(child, summary)) return false;
            }
            return true;
        }
        case od::json_type::object: {
            od::object object;
            if (value.get_object().get(object)) return false;
            for (auto field_result : object) {
                od::field field;
                std::string_view key;
                if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return false;
                summary.string_bytes += static_cast<std::int64_t>(key.size());
                if (!Summarize(field.value(), summary)) return false;
            }
            return true;
        }
    }
    return false;
}

bool SummarizeBare(od::parser& parser, const simdjson::padded_string& input, Summary& summary) {
    od::document document;
    od::value root;
    if (parser.iterate(input).get(document) || document.get_value().get(root)) return false;
    return Summarize(root, summary);
}

void ReportThroughput(benchmark::State& state) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kContactItem.size()));
}

void BM_JsonInputToEngineJson(benchmark::State& state) {
    contactd::ingest::JsonInputParser parser;
    {
        const auto check = parser.Parse(kContactItem);
        Summary summary;
        if (check.ok()) Summarize(check.value(), summary);
        if (!check.ok() || !(summary == kExpected) || check.value().Find("first_name")->text() != "María José") {
            state.SkipWithError("json_input gave a wrong answer");
            return;
        }
    }
    for (auto _ : state) {
        auto result = parser.Parse(kContactItem);
        benchmark::DoNotOptimize(result);
    }
    ReportThroughput(state);
}
BENCHMARK(BM_JsonInputToEngineJson);

void BM_BareSimdjsonOnDemandPass(benchmark::State& state) {
    od::parser parser;
    const simdjson::padded_string input(kContactItem);
    {
        Summary summary;
        if (!SummarizeBare(parser, input, summary) || !(summary == kExpected)) {
            state.SkipWithError("bare simdjson pass gave a wrong answer");
            return;
        }
    }
    for (auto _ : state) {
        Summary summary;
        const bool ok = SummarizeBare(parser, input, summary);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(summary);
    }
    ReportThroughput(state);
}
BENCHMARK(BM_BareSimdjsonOnDemandPass);

}  // namespace
