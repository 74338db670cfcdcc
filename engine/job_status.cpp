#include "engine/job_status.hpp"

#include <cmath>

#include "engine/date_time.hpp"
#include "engine/json_writer.hpp"

namespace contactd::engine {

std::string_view JobStateName(JobState state) {
    switch (state) {
        case JobState::kQueued:
            return "queued";
        case JobState::kRunning:
            return "running";
        case JobState::kCompleted:
            return "completed";
        case JobState::kCancelled:
            return "cancelled";
        case JobState::kFailed:
            return "failed";
    }
    return "queued";
}

std::optional<JobState> ParseJobState(std::string_view name) {
    for (JobState state :
         {JobState::kQueued, JobState::kRunning, JobState::kCompleted, JobState::kCancelled, JobState::kFailed}) {
        if (JobStateName(state) == name) return state;
    }
    return std::nullopt;
}

bool IsFinished(JobState state) { return state != JobState::kQueued && state != JobState::kRunning; }

void OutcomeTally::Add(const Outcome& outcome) {
    ++counts.processed;
    if (outcome.ok()) {
        ++counts.ok;
        if (outcome.action == Action::kCreated) ++counts.created;
        if (outcome.action == Action::kUpdated) ++counts.updated;
        if (outcome.action == Action::kUnchanged) ++counts.unchanged;
        if (!outcome.remarks.empty()) ++counts.with_remarks;
    } else {
        ++counts.ignored;
        ++ignored_by_code[std::string(CodeName(outcome.ignored_code.value_or(Code::kInvalidItem)))];
    }
}

void OutcomeTally::Merge(const OutcomeTally& other) {
    counts.processed += other.counts.processed;
    counts.ok += other.counts.ok;
    counts.ignored += other.counts.ignored;
    counts.created += other.counts.created;
    counts.updated += other.counts.updated;
    counts.unchanged += other.counts.unchanged;
    counts.with_remarks += other.counts.with_remarks;
    for (const auto& [code, n] : other.ignored_by_code) ignored_by_code[code] += n;
}

std::string OutcomeTally::IgnoredByCodeJson() const {
    std::string out;
    JsonWriter writer(out);
    writer.BeginObject();
    for (const auto& [code, n] : ignored_by_code) writer.Key(code).Int(n);
    writer.EndObject();
    return out;
}

bool OutcomeTally::MergeIgnoredByCodeJson(std::string_view json) {
    // The stored text is what IgnoredByCodeJson wrote: {"CODE":n,...} with upper-case codes, no escapes.
    std::size_t i = json.find('{');
    if (i == std::string_view::npos) return false;
    ++i;
    while (i < json.size()) {
        while (i < json.size() && (json[i] == ',' || json[i] == ' ')) ++i;
        if (i < json.size() && json[i] == '}') return true;
        if (i >= json.size() || json[i] != '"') return false;
        const std::size_t end = json.find('"', i + 1);
        if (end == std::string_view::npos) return false;
        const std::string code(json.substr(i + 1, end - i - 1));
        i = end + 1;
        if (i >= json.size() || json[i] != ':') return false;
        ++i;
        std::int64_t n = 0;
        bool digits = false;
        while (i < json.size() && json[i] >= '0' && json[i] <= '9') {
            n = n * 10 + (json[i++] - '0');
            digits = true;
        }
        if (!digits) return false;
        ignored_by_code[code] += n;
    }
    return false;
}

double JobStatus::ItemsPerSecond(Millis now) const {
    if (!started_at) return 0;
    const Millis end = finished_at.value_or(now);
    const double seconds = static_cast<double>(end - *started_at) / 1000.0;
    if (seconds <= 0) return 0;
    return static_cast<double>(tally.counts.processed) / seconds;
}

std::optional<double> JobStatus::EtaSeconds(Millis now) const {
    if (IsFinished(state)) return 0.0;
    const double rate = ItemsPerSecond(now);
    if (rate <= 0) return std::nullopt;
    return static_cast<double>(tally.counts.total - tally.counts.processed) / rate;
}

std::string JobStatusJson(const JobStatus& status, Millis now) {
    const JobCounts& c = status.tally.counts;
    std::string out;
    JsonWriter writer(out);
    writer.BeginObject();
    writer.Key("job_id").String(status.job_id);
    writer.Key("status").String(JobStateName(status.state));
    writer.Key("has_errors").Bool(status.has_errors());
    writer.Key("dry_run").Bool(status.dry_run);
    writer.Key("total_items").Int(c.total);
    writer.Key("counts").BeginObject();
    writer.Key("total").Int(c.total);
    writer.Key("processed").Int(c.processed);
    writer.Key("ok").Int(c.ok);
    writer.Key("ignored").Int(c.ignored);
    writer.Key("created").Int(c.created);
    writer.Key("updated").Int(c.updated);
    writer.Key("unchanged").Int(c.unchanged);
    writer.Key("with_remarks").Int(c.with_remarks);
    writer.EndObject();
    writer.Key("ignored_by_code").BeginObject();
    for (const auto& [code, n] : status.tally.ignored_by_code) writer.Key(code).Int(n);
    writer.EndObject();
    writer.Key("items_per_second").Double(std::round(status.ItemsPerSecond(now) * 10) / 10);
    writer.Key("eta_seconds");
    if (const auto eta = status.EtaSeconds(now)) {
        writer.Double(std::round(*eta * 10) / 10);
    } else {
        writer.Null();
    }
    const auto time = [&](std::string_view key, const std::optional<Millis>& value) {
        writer.Key(key);
        value ? writer.String(FormatTimestamp(*value)) : writer.Null();
    };
    time("created_at", status.created_at);
    time("started_at", status.started_at);
    time("finished_at", status.finished_at);
    writer.Key("message");
    status.message ? writer.String(*status.message) : writer.Null();
    writer.Key("links").BeginObject();
    writer.Key("self").String("/v1/batches/" + status.job_id);
    writer.Key("results").String("/v1/batches/" + status.job_id + "/results");
    writer.EndObject();
    writer.EndObject();
    return out;
}

}  // namespace contactd::engine
