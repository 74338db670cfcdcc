// Hot engine functions, each beside the physical floor of the same work in the same binary, and each
// checking its answer so that a fast wrong result fails:
//   validation of an item          vs  visiting every member and string of the same tree
//   applying a PATCH / PUT          vs  copying the contact
//   writing a result line           vs  escaping the same strings
//   token bucket / fair scheduler   vs  the arithmetic / a map walk they reduce to
#include <benchmark/benchmark.h>

#include "engine/apply.hpp"
#include "engine/json_writer.hpp"
#include "engine/result_line.hpp"
#include "engine/scheduler.hpp"
#include "engine/token_bucket.hpp"
#include "engine/validation.hpp"
#include "engine/workspace_admin.hpp"
#include "ingest/json_input.hpp"

namespace contactd::engine {
namespace {

// A realistic item: names, e-mails, a phone, tags, six custom fields (no phone parsing in the timed loop of
// the validation benchmark below when `kWithPhone` is false: phones are measured in value_checkers_bench).
constexpr std::string_view kItem =
    R"({"external_reference_id": "crm-20931", "first_name": "Giulia", "last_name": "Rossi",
 "company_name": "Rossi & Figli S.r.l.", "title": "Head of Procurement", "emails": ["giulia.rossi@example.it", "g.rossi@rossi-figli.it"],
 "tags": ["lead", "b2b", "newsletter"], "status": "Qualified", "priority": 2, "source": "api", "country_code": "it", "language": "IT",
 "email_marketing_opt_in": true, "custom_fields": {"profile_field_1": "Met at the Milan fair; wants a demo in March.",
 "profile_field_2": "enterprise", "profile_field_16": 12500, "profile_field_17": 3.5, "profile_field_26": "2026-03-01T09:00:00Z",
 "profile_field_27": 1767225600000}, "ref": "row-20931"})";

WorkspaceSettings Settings(IdentifierField identifier) {
    auto parsed = ingest::ParseJsonInput(R"({"id": "bench", "default_country": "IT",
        "lead_stages": ["New", "Qualified", "Won", "Lost"]})");
    WorkspaceSettings settings = NewWorkspaceSettings(parsed.value()).settings;
    settings.identifier_field = identifier;
    return settings;
}

Json ItemJson() { return ingest::ParseJsonInput(kItem).value(); }

// The floor for validation: every member visited, every string's bytes touched.
std::size_t Visit(const Json& json) {
    std::size_t touched = 1;
    if (json.IsString()) {
        for (const char c : json.text()) touched += static_cast<unsigned char>(c) & 1;
    }
    for (const Json& element : json.elements()) touched += Visit(element);
    for (const auto& [key, value] : json.members()) touched += key.size() + Visit(value);
    return touched;
}

void BM_ValidateItem(benchmark::State& state) {
    const WorkspaceSettings settings = Settings(IdentifierField::kExternalReferenceId);
    const Json item = ItemJson();
    for (auto _ : state) {
        auto write = ValidateWrite(item, settings, {.batch_item = true, .mode = WriteMode::kUpsert});
        if (!write.ok() || !write.value().remarks.empty() || write.value().named_fields != 19 ||
            write.value().values.country_code != "IT") {
            state.SkipWithError("validation gave a wrong answer");
            break;
        }
        benchmark::DoNotOptimize(write);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateItem);

void BM_VisitItemTree(benchmark::State& state) {
    const Json item = ItemJson();
    const std::size_t expected = Visit(item);
    for (auto _ : state) {
        const std::size_t touched = Visit(item);
        if (touched != expected) {
            state.SkipWithError("the walk gave a wrong answer");
            break;
        }
        benchmark::DoNotOptimize(touched);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VisitItemTree);

Contact StoredContact(const WorkspaceSettings& settings) {
    const ContactWrite write =
        ValidateWrite(ItemJson(), settings, {.batch_item = true, .mode = WriteMode::kUpsert}).value();
    const ApplyContext context{settings, {}, 1767225600000, "01a20000-0000-7000-8000-000000000001"};
    return *ApplyWrite(write, nullptr, context).contact;
}

void ApplyBenchmark(benchmark::State& state, Semantics semantics) {
    const WorkspaceSettings settings = Settings(IdentifierField::kExternalReferenceId);
    const Contact stored = StoredContact(settings);
    const Json patch = ingest::ParseJsonInput(R"({"external_reference_id": "crm-20931", "title": "CPO",
        "tags": {"add": ["vip"], "remove": ["newsletter"]}, "custom_fields": {"profile_field_16": 13000}})")
                           .value();
    const ContactWrite write = ValidateWrite(patch, settings, {.batch_item = true}).value();
    const ApplyContext context{settings, {.semantics = semantics}, 1767225660000, "unused"};
    const std::size_t expected_custom = semantics == Semantics::kPut ? 1 : stored.custom_fields.size();
    for (auto _ : state) {
        WriteResult result = ApplyWrite(write, &stored, context);
        if (!result.outcome.ok() || result.contact->version != 2 || result.contact->tags.size() != 3 ||
            result.contact->custom_fields.size() != expected_custom) {
            state.SkipWithError("apply gave a wrong answer");
            break;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_ApplyPatch(benchmark::State& state) { ApplyBenchmark(state, Semantics::kPatch); }
void BM_ApplyPut(benchmark::State& state) { ApplyBenchmark(state, Semantics::kPut); }
BENCHMARK(BM_ApplyPatch);
BENCHMARK(BM_ApplyPut);

void BM_CopyContact(benchmark::State& state) {
    const Contact stored = StoredContact(Settings(IdentifierField::kExternalReferenceId));
    for (auto _ : state) {
        Contact copy = stored;
        if (copy.version != stored.version) {
            state.SkipWithError("copy gave a wrong answer");
            break;
        }
        benchmark::DoNotOptimize(copy);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CopyContact);

const Outcome& RemarkedOutcome() {
    static const Outcome outcome = Outcome::Ok(
        Action::kUpdated, "01a20000-0000-7000-8000-000000000001",
        {{"custom_fields.profile_field_16", Code::kInvalidType, "expected a number, got a string (\"500\")"}});
    return outcome;
}

constexpr std::string_view kExpectedLine =
    R"json({"index":123456,"status":"OK","action":"updated","ref":"row-123456","contact_id":"01a20000-0000-7000-8000-000000000001",)json"
    R"json("remarks":[{"field":"custom_fields.profile_field_16","code":"INVALID_TYPE","message":"expected a number, got a string (\"500\")"}]})json"
    "\n";

void BM_WriteResultLine(benchmark::State& state) {
    const std::optional<std::string> ref = "row-123456";
    std::string out;
    for (auto _ : state) {
        out.clear();
        AppendResultLine(out, 123456, ref, RemarkedOutcome());
        if (out != kExpectedLine) {
            state.SkipWithError("the result line is wrong");
            break;
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kExpectedLine.size()));
}
BENCHMARK(BM_WriteResultLine);

void BM_EscapeResultStrings(benchmark::State& state) {
    const Outcome& outcome = RemarkedOutcome();
    std::string out;
    for (auto _ : state) {
        out.clear();
        for (std::string_view text :
             {std::string_view("row-123456"), std::string_view(outcome.contact_id),
              std::string_view(outcome.remarks[0].field), std::string_view(outcome.remarks[0].message)}) {
            AppendJsonString(out, text);
        }
        if (out != R"("row-123456""01a20000-0000-7000-8000-000000000001""custom_fields.profile_field_16")"
                   R"json("expected a number, got a string (\"500\")")json") {
            state.SkipWithError("escaping gave a wrong answer");
            break;
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kExpectedLine.size()));
}
BENCHMARK(BM_EscapeResultStrings);

void BM_TokenBucketTake(benchmark::State& state) {
    TokenBucket bucket(1e12, 1e12, 0);
    Millis now = 0;
    std::int64_t taken = 0;
    for (auto _ : state) taken += bucket.TryTake(1, ++now) ? 1 : 0;
    if (taken != state.iterations()) state.SkipWithError("the bucket refused a token it had");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenBucketTake);

void BM_RefillArithmetic(benchmark::State& state) {
    double tokens = 0;
    Millis last = 0;
    Millis now = 0;
    std::int64_t taken = 0;
    for (auto _ : state) {
        ++now;
        tokens = std::min(1e12, tokens + static_cast<double>(now - last) * 1e9);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            ++taken;
        }
        benchmark::DoNotOptimize(tokens);
    }
    if (taken != state.iterations()) state.SkipWithError("the arithmetic refused a token");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RefillArithmetic);

// One scheduling decision among 20 workspaces (the reference workload's count): pick, then release.
void BM_SchedulerPickAndRelease(benchmark::State& state) {
    FairScheduler scheduler;
    std::vector<RunnableWorkspace> workspaces;
    for (int i = 0; i < 20; ++i) workspaces.push_back({"ws-" + std::to_string(i), 1000000000});
    scheduler.SetRunnable(workspaces, 0);
    Millis now = 0;
    std::map<std::string, int> served;
    for (auto _ : state) {
        const auto next = scheduler.Next(++now);
        if (!next) {
            state.SkipWithError("no workspace was runnable");
            break;
        }
        ++served[*next];
        scheduler.Release(*next, true, now);
    }
    // Turns must be fair: every workspace served, none more than once beyond another.
    int least = INT32_MAX;
    int most = 0;
    for (const auto& [id, count] : served) {
        least = std::min(least, count);
        most = std::max(most, count);
    }
    const std::size_t expected = std::min<std::size_t>(20, static_cast<std::size_t>(state.iterations()));
    if (served.size() != expected || most - least > 1) state.SkipWithError("turns were not fair");
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SchedulerPickAndRelease);

void BM_MapWalkOfTwentyWorkspaces(benchmark::State& state) {
    std::map<std::string, Millis> last_served;
    for (int i = 0; i < 20; ++i) last_served["ws-" + std::to_string(i)] = 0;
    Millis now = 0;
    for (auto _ : state) {
        auto best = last_served.begin();
        for (auto it = last_served.begin(); it != last_served.end(); ++it) {
            if (it->second < best->second) best = it;
        }
        best->second = ++now;
        benchmark::DoNotOptimize(best);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MapWalkOfTwentyWorkspaces);

}  // namespace
}  // namespace contactd::engine
