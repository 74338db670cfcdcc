#include "bench/e2e/correctness.hpp"

#include <algorithm>

#include "bench/e2e/api_client.hpp"
#include "bench/e2e/number_format.hpp"
#include "bench/e2e/pg_session.hpp"

namespace contactd::bench::e2e {

namespace {

constexpr int kPhoneKind = 2;  // contact_keys.kind of a phone claim (storage/migrations/0001_foundation.sql)

std::string Text(std::int64_t value) { return Grouped(value); }

std::string CountsText(const JobStatus& status) {
    std::string text = "total " + Text(status.counts.total) + ", processed " + Text(status.counts.processed) + ", ok " +
                       Text(status.counts.ok) + " (created " + Text(status.counts.created) + ", updated " +
                       Text(status.counts.updated) + ", unchanged " + Text(status.counts.unchanged) + "), ignored " +
                       Text(status.counts.ignored);
    for (const auto& [code, count] : status.ignored_by_code) text += ", " + code + " " + Text(count);
    return text;
}

const JobRun* FindJob(const ConcurrentRun& run, const std::string& workspace_id) {
    for (const JobRun& job : run.jobs) {
        if (job.workspace_id == workspace_id) return &job;
    }
    return nullptr;
}

std::string TagsText(const std::vector<std::string>& tags) {
    std::string text = "[";
    for (std::size_t index = 0; index < tags.size(); ++index) text += (index ? "," : "") + tags[index];
    return text + "]";
}

}  // namespace

std::vector<Check> CheckPreloadJobs(const ExpectedWorkload& workload, const ConcurrentRun& preload) {
    std::vector<Check> details;
    std::int64_t expected_total = 0;
    std::int64_t created = 0;
    std::int64_t ignored = 0;
    for (const ExpectedWorkspace& workspace : workload.workspaces) {
        expected_total += workspace.preload;
        const JobRun* job = FindJob(preload, workspace.id);
        const JobStatus status = job ? job->final_status : JobStatus{};
        created += status.counts.created;
        ignored += status.counts.ignored;
        if (status.counts.created != workspace.preload || status.counts.ignored != 0 || status.state != "completed") {
            details.push_back({"preload job of " + workspace.id, Text(workspace.preload) + " created, 0 ignored",
                               status.state + ": " + CountsText(status), false});
        }
    }
    std::vector<Check> checks{{"preload: every line created a contact", Text(expected_total) + " created, 0 ignored",
                               Text(created) + " created, " + Text(ignored) + " ignored", details.empty()}};
    checks.insert(checks.end(), details.begin(), details.end());
    return checks;
}

std::vector<Check> CheckTimedJobs(const ExpectedWorkload& workload, const ConcurrentRun& run) {
    std::vector<Check> details;
    bool all_processed = true;
    std::int64_t items = 0;
    std::int64_t processed = 0;
    std::int64_t duplicates_expected = 0;
    std::int64_t ignored = 0;
    std::int64_t duplicates = 0;
    for (const ExpectedWorkspace& workspace : workload.workspaces) {
        items += workspace.items;
        duplicates_expected += workspace.expected_duplicates;
        const JobRun* job = FindJob(run, workspace.id);
        const JobStatus status = job ? job->final_status : JobStatus{};
        const auto code = status.ignored_by_code.find("DUPLICATE_VALUE");
        const std::int64_t job_duplicates = code == status.ignored_by_code.end() ? 0 : code->second;
        processed += status.counts.processed;
        ignored += status.counts.ignored;
        duplicates += job_duplicates;
        all_processed = all_processed && status.state == "completed" && status.counts.total == workspace.items &&
                        status.counts.processed == workspace.items;
        if (status.state != "completed" || status.counts.total != workspace.items ||
            status.counts.processed != workspace.items || status.counts.ignored != workspace.expected_duplicates ||
            job_duplicates != workspace.expected_duplicates) {
            details.push_back({"timed job of " + workspace.id,
                               "total " + Text(workspace.items) + ", processed " + Text(workspace.items) +
                                   ", ignored " + Text(workspace.expected_duplicates) + ", DUPLICATE_VALUE " +
                                   Text(workspace.expected_duplicates),
                               status.state + ": " + CountsText(status), false});
        }
    }
    std::vector<Check> checks{
        {"timed batch: every job completed, every item processed", Text(items), Text(processed), all_processed},
        {"timed batch: IGNORED items are exactly the generated unique-value conflicts",
         Text(duplicates_expected) + " ignored, all DUPLICATE_VALUE",
         Text(ignored) + " ignored, " + Text(duplicates) + " DUPLICATE_VALUE",
         ignored == duplicates_expected && duplicates == duplicates_expected}};
    checks.insert(checks.end(), details.begin(), details.end());
    return checks;
}

std::vector<Check> CheckStoredContacts(const ExpectedWorkload& workload, const std::string& contactd_url,
                                       const std::string& server_url,
                                       const std::map<std::string, std::string>& api_keys) {
    PgSession session(contactd_url);
    std::map<std::string, std::int64_t> counts;
    for (const auto& row : session.Query("SELECT workspace_id, count(*) FROM contacts GROUP BY workspace_id")) {
        counts[row.at(0)] = std::stoll(row.at(1));
    }
    std::vector<Check> details;
    std::int64_t expected_contacts = 0;
    std::int64_t stored_contacts = 0;
    int samples = 0;
    int samples_ok = 0;
    ApiClient api(server_url);
    for (const ExpectedWorkspace& workspace : workload.workspaces) {
        expected_contacts += workspace.expected_contacts;
        stored_contacts += counts[workspace.id];
        if (counts[workspace.id] != workspace.expected_contacts) {
            details.push_back(
                {"contacts in " + workspace.id, Text(workspace.expected_contacts), Text(counts[workspace.id]), false});
        }
        for (const ExpectedSample& sample : workspace.samples) {
            ++samples;
            const TextRows ids = session.Query(
                "SELECT contact_id FROM contact_keys WHERE workspace_id = $1 AND kind = $2 AND value = $3",
                {workspace.id, std::to_string(kPhoneKind), sample.phone});
            const std::string expected = "title \"" + sample.title + "\", tags include " + TagsText(sample.tags);
            if (ids.empty()) {
                details.push_back({"contact " + sample.phone + " of " + workspace.id, expected, "not found", false});
                continue;
            }
            const ContactView contact = api.Contact(api_keys.at(workspace.id), ids[0][0]);
            const bool tags_ok = std::all_of(sample.tags.begin(), sample.tags.end(), [&](const std::string& tag) {
                return std::find(contact.tags.begin(), contact.tags.end(), tag) != contact.tags.end();
            });
            if (contact.title == sample.title && tags_ok) {
                ++samples_ok;
            } else {
                details.push_back({"contact " + sample.phone + " of " + workspace.id, expected,
                                   "title \"" + contact.title + "\", tags " + TagsText(contact.tags), false});
            }
        }
    }
    std::vector<Check> checks{
        {"stored contacts (" + std::to_string(workload.workspaces.size()) + " workspaces)", Text(expected_contacts),
         Text(stored_contacts),
         stored_contacts == expected_contacts &&
             std::none_of(details.begin(), details.end(),
                          [](const Check& check) { return check.name.rfind("contacts in ", 0) == 0; })},
        {"sampled contacts: last title and tags", Text(samples) + " match", Text(samples_ok) + " match",
         samples_ok == samples}};
    checks.insert(checks.end(), details.begin(), details.end());
    return checks;
}

}  // namespace contactd::bench::e2e
