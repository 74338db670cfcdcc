#include "bench/e2e/results_page.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bench/e2e/number_format.hpp"

namespace contactd::bench::e2e {

namespace {

constexpr double kTargetRatio = 1.0;       // issue 3: as many items/s as the COPY reference
constexpr double kFloorRatio = 0.5;        // issue 3: below this the issue is not done
constexpr double kTargetAcceptMBps = 150;  // issue 3: 1 GiB acceptance
constexpr double kTargetRssMB = 300;       // issue 3: peak resident memory
constexpr double kTargetFairnessSeconds = 1;
constexpr double kTargetPatchRatio = 0.8;  // issue 4: aim for 0.8 of pgbench
constexpr double kTargetRunMinutes = 20;   // issue 4: the whole command at full scale
constexpr const char* kNotMeasured = "not measured";

std::string PerSecond(double value, const char* unit) { return Grouped(std::llround(value)) + " " + unit; }

//! "3 runs: 16.4, 19.7, 23.9 s" (in the order run).
std::string Runs(const std::vector<double>& seconds) {
    std::string out = std::to_string(seconds.size()) + " runs: ";
    for (std::size_t index = 0; index < seconds.size(); ++index) out += (index ? ", " : "") + Fixed(seconds[index], 1);
    return out + " s";
}

std::string Mb(std::uint64_t bytes) { return Megabytes(bytes); }

std::string HugePagesText(const std::optional<std::int64_t>& kib) {
    if (!kib) return "huge pages unknown (the server's maps could not be read)";
    if (*kib == 0) return "shared memory not on huge pages (too few free, or none reserved)";
    return "shared memory on huge pages (" + Grouped(*kib / 1024) + " MiB)";
}

void Row(std::ostream& out, std::initializer_list<std::string> cells) {
    out << "|";
    for (const std::string& cell : cells) out << " " << cell << " |";
    out << "\n";
}

std::string Met(bool measured, bool met) { return !measured ? kNotMeasured : met ? "**yes**" : "**no**"; }

void WriteHeader(std::ostream& out, const BenchResults& results) {
    const RunInfo& run = results.run;
    out << "# contactd end-to-end benchmark: results\n\n"
        << "Written by `scripts/bench.sh` (the driver is `bench/e2e/`); do not edit by hand. "
        << "MB = 10^6 bytes. How each figure is measured is at the end.\n\n";
    out << "| | |\n|---|---|\n";
    Row(out, {"result", results.Passed() ? "**all checks passed**" : "**FAILED** (see Correctness)"});
    Row(out, {"date", run.date_utc});
    Row(out, {"commit", "`" + run.commit + "`"});
    Row(out, {"command", "`" + run.command + "`"});
    Row(out, {"machine", run.machine.cpu_model + ", " + std::to_string(run.machine.cores) + " cores, " +
                             Fixed(static_cast<double>(run.machine.memory_bytes) / (1ull << 30), 1) + " GiB RAM, " +
                             run.machine.kernel});
    Row(out, {"PostgreSQL", run.postgres_version +
                                ": one fresh embedded cluster with contactd's own settings (fsync and "
                                "synchronous_commit on), a database for contactd and an identically migrated one "
                                "for the references; " +
                                HugePagesText(run.huge_pages_kib)});
    Row(out, {"server", "`contactd serve` (Release build)" +
                            (run.server_args.empty() ? std::string() : ", `" + run.server_args + "`")});
    Row(out,
        {"workload", Grouped(run.items) + " items in " + std::to_string(run.workspaces) + " workspaces (seed " +
                         std::to_string(run.seed) + "), on " + Grouped(run.preload_contacts) + " preloaded contacts"});
    Row(out, {"run time", Duration(run.driver_seconds) + " for the driver" +
                              (run.total_seconds > 0 ? ", " + Duration(run.total_seconds) +
                                                           " for the whole command (install, build, workload)"
                                                     : std::string())});
    if (!results.failure.empty()) Row(out, {"stopped early", results.failure});
    out << "\n";
}

// "contactd 31.2 µs, PostgreSQL 40.3 µs, other 1.9 µs; machine 98% busy".
std::string CpuPerItem(const BatchFigures& batch) {
    const CpuSpent& cpu = batch.cpu;
    return "contactd " + Fixed(batch.MicrosPerItem(cpu.contactd), 1) + " µs, PostgreSQL " +
           Fixed(batch.MicrosPerItem(cpu.postgres), 1) + " µs, other " + Fixed(batch.MicrosPerItem(cpu.Other()), 1) +
           " µs; machine " + Fixed(cpu.Busy() * 100, 0) + "% busy";
}

void WriteFigures(std::ostream& out, const BenchResults& results) {
    const BatchFigures& batch = results.batch;
    const CopyFigures& copy = results.copy;
    out << "## Figures\n\n| figure | contactd | reference | ratio |\n|---|---:|---:|---:|\n";
    if (batch.measured) {
        const std::string e2e = PerSecond(batch.ItemsPerSecond(), "items/s") + " (" + Grouped(batch.items) +
                                " items in " + Fixed(batch.run.seconds, 1) + " s)";
        Row(out, {"batch end to end: 20 NDJSON POSTs at once, first byte → every job completed", e2e,
                  copy.measured ? "COPY contacts: " + PerSecond(copy.ContactsPerSecond(), "rows/s") + " (" +
                                      Grouped(copy.contacts) + " rows; median of " + Runs(copy.contacts_runs) + ")"
                                : kNotMeasured,
                  Ratio(batch.ItemsPerSecond(), copy.ContactsPerSecond())});
        Row(out, {"", "",
                  copy.measured
                      ? "COPY contacts + their contact_keys: " + PerSecond(copy.WithKeysPerSecond(), "contacts/s") +
                            " (+" + Grouped(copy.keys) + " claims; median of " + Runs(copy.with_keys_runs) + ")"
                      : kNotMeasured,
                  Ratio(batch.ItemsPerSecond(), copy.WithKeysPerSecond())});
        if (batch.cpu.measured) {
            Row(out, {"CPU a batch item during the timed batch (contactd's threads, PostgreSQL's processes, the rest)",
                      CpuPerItem(batch), "", ""});
        }
        Row(out, {"acceptance of the 20 batches (first byte → last 202)",
                  Fixed(batch.AcceptMegabytesPerSecond(), 1) + " MB/s (" + Mb(batch.bytes) + " in " +
                      Fixed(batch.run.last_accepted_at, 2) + " s)",
                  "", ""});
    }
    if (results.large.measured) {
        Row(out, {"acceptance of a ~1 GiB NDJSON batch (POST → 202)",
                  Fixed(results.large.MegabytesPerSecond(), 1) + " MB/s (" + Mb(results.large.bytes) + ", " +
                      Grouped(results.large.items) + " items, " + Fixed(results.large.accept_seconds, 2) +
                      " s); then " + results.large.final_state + " in " + Fixed(results.large.cancel_seconds, 2) +
                      " s, " + Grouped(results.large.applied) + " items applied before",
                  "target 150 MB/s", Ratio(results.large.MegabytesPerSecond(), kTargetAcceptMBps)});
    }
    if (results.fairness.measured) {
        Row(out, {"fairness: a " + std::to_string(results.fairness.items) +
                      "-item job of another workspace during the big job (POST → completed)",
                  Fixed(results.fairness.complete_seconds, 3) + " s (202 after " +
                      Fixed(results.fairness.accept_seconds, 3) + " s)",
                  "target 1 s", ""});
    }
    const PatchFigures& patch = results.patch;
    if (patch.measured) {
        Row(out, {"single-contact PATCH, " + std::to_string(patch.connections) + " connections, " +
                      std::to_string(patch.seconds) + " s (wrk)",
                  PerSecond(patch.contactd.PerSecond(), "req/s") + ", p50 " + Fixed(patch.contactd.p50_ms, 2) +
                      " ms, p99 " + Fixed(patch.contactd.p99_ms, 2) + " ms",
                  "pgbench one-row UPDATE: " + PerSecond(patch.pgbench.PerSecond(), "tps") + ", p50 " +
                      Fixed(patch.pgbench.p50_ms, 2) + " ms, p99 " + Fixed(patch.pgbench.p99_ms, 2) + " ms",
                  Ratio(patch.contactd.PerSecond(), patch.pgbench.PerSecond())});
    }
    Row(out, {"server peak RSS (VmHWM): after preload / after the timed batch / whole run",
              Mb(results.memory.after_preload) + " / " + Mb(results.memory.after_batch) + " / " +
                  Mb(results.memory.whole_run),
              "target 300 MB", ""});
    if (results.preload_measured) {
        Row(out,
            {"preload (untimed in the figures above)",
             Grouped(results.run.preload_contacts) + " contacts in " + Fixed(results.preload.seconds, 1) + " s (" +
                 PerSecond(static_cast<double>(results.run.preload_contacts) / std::max(results.preload.seconds, 1e-9),
                           "items/s") +
                 ")",
             "", ""});
    }
    out << "\n";
}

void WriteTargets(std::ostream& out, const BenchResults& results) {
    out << "## Issue targets\n\n| target | required | measured | met |\n|---|---|---|---|\n";
    const bool copy_known = results.batch.measured && results.copy.measured;
    const double ratio = copy_known ? results.batch.ItemsPerSecond() / results.copy.ContactsPerSecond() : 0;
    std::string ratio_met = Met(copy_known, ratio >= kTargetRatio);
    if (copy_known && ratio < kTargetRatio) {
        ratio_met += ratio >= kFloorRatio ? " (above the 0.5 floor)" : " (below the 0.5 floor)";
    }
    Row(out, {"end to end vs single-stream COPY of the same contacts (issue 3)", "ratio ≥ 1.0; below 0.5 not done",
              copy_known ? Fixed(ratio, 2) : kNotMeasured, ratio_met});
    const double accept = results.large.MegabytesPerSecond();
    Row(out, {"acceptance of a 1 GiB NDJSON batch (issue 3)", "≥ 150 MB/s",
              results.large.measured ? Fixed(accept, 1) + " MB/s"
                                     : (results.large_skipped ? "skipped (--no-1gib)" : kNotMeasured),
              Met(results.large.measured, accept >= kTargetAcceptMBps)});
    const double rss_mb = static_cast<double>(results.memory.whole_run) / 1e6;
    Row(out, {"server peak resident memory, whole run (issue 3)", "< 300 MB", Fixed(rss_mb, 1) + " MB",
              Met(results.memory.whole_run > 0, rss_mb < kTargetRssMB)});
    Row(out, {"50-item job of another workspace during the big one (issue 3)", "< 1 s",
              results.fairness.measured ? Fixed(results.fairness.complete_seconds, 3) + " s" : kNotMeasured,
              Met(results.fairness.measured, results.fairness.complete_seconds < kTargetFairnessSeconds)});
    const double patch_ratio = results.patch.measured && results.patch.pgbench.PerSecond() > 0
                                   ? results.patch.contactd.PerSecond() / results.patch.pgbench.PerSecond()
                                   : 0;
    Row(out, {"PATCH requests/s vs pgbench, same connections (issue 4)", "aim for 0.8",
              results.patch.measured ? Fixed(patch_ratio, 2) : kNotMeasured,
              Met(results.patch.measured, patch_ratio >= kTargetPatchRatio)});
    const double minutes =
        (results.run.total_seconds > 0 ? results.run.total_seconds : results.run.driver_seconds) / 60;
    const bool full_scale = results.run.items >= 1000000;
    Row(out, {"the whole command at 1,000,000 items (issue 4)", "< 20 min", Fixed(minutes, 1) + " min",
              full_scale ? Met(true, minutes < kTargetRunMinutes) : "n/a at this scale"});
    out << "\n";
}

void WriteJobs(std::ostream& out, const BenchResults& results) {
    if (!results.batch.measured) return;
    out << "## The timed jobs\n\nSeconds from the first byte of the first POST. MB/s is each POST's own (the 20 "
           "share the machine).\n\n"
        << "| workspace | items | MB | POST → 202 | MB/s | completed at | ok | ignored | created | updated | "
           "unchanged | with remarks |\n"
        << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const JobRun& job : results.batch.run.jobs) {
        const JobStatus& s = job.final_status;
        Row(out, {job.workspace_id, Grouped(s.counts.total), Fixed(static_cast<double>(job.bytes) / 1e6, 1),
                  Fixed(job.accept_seconds, 2) + " s",
                  Fixed(job.accept_seconds > 0 ? static_cast<double>(job.bytes) / 1e6 / job.accept_seconds : 0, 1),
                  Fixed(job.completed_at, 1) + " s", Grouped(s.counts.ok), Grouped(s.counts.ignored),
                  Grouped(s.counts.created), Grouped(s.counts.updated), Grouped(s.counts.unchanged),
                  Grouped(s.counts.with_remarks)});
    }
    if (results.fairness.measured) {
        out << "\nThe fairness job was submitted " << Fixed(results.fairness.submitted_at, 1)
            << " s into the run, with the big job " << Fixed(results.fairness.big_job_progress * 100, 0)
            << "% processed and " << results.fairness.other_jobs_running
            << " other job(s) of the run still unfinished; it ended " << results.fairness.state << ".\n";
    }
    out << "\n";
}

void WriteChecks(std::ostream& out, const BenchResults& results) {
    out << "## Correctness\n\n";
    if (results.checks.empty()) {
        out << "No check ran (the run stopped before).\n\n";
        return;
    }
    out << "| check | expected | actual | ok |\n|---|---|---|---|\n";
    constexpr std::size_t kMaxRows = 60;
    std::size_t shown = 0;
    for (const Check& check : results.checks) {
        if (shown++ == kMaxRows) {
            Row(out, {"… " + std::to_string(results.checks.size() - kMaxRows) + " more (see the driver's output)", "",
                      "", ""});
            break;
        }
        Row(out, {check.name, check.expected, check.actual, check.ok ? "yes" : "**NO**"});
    }
    out << "\n";
}

void WriteMethod(std::ostream& out, const BenchResults& results) {
    out << "## How it is measured\n\n"
        << "- **One cluster, one run.** The driver (`contactd_e2e`) starts a fresh embedded PostgreSQL "
           "(`storage/embedded_postgres.hpp`, the settings `contactd serve` uses) with two identically migrated "
           "databases, and `contactd serve --database-url` on the first as a child process on 127.0.0.1. All "
           "traffic stays on loopback; everything started is stopped at the end, also on failure or Ctrl-C.\n"
        << "- **Workload.** `contactd_workload` (seeded, deterministic): 20 workspaces, one holding half the items; "
           "70% updates of preloaded contacts (some several times), 30% creates, ~5% with an invalid field "
           "(dropped with a remark), ~1% e-mail conflicts (`DUPLICATE_VALUE`). Workspaces are created with the "
           "defaults (phone identifier, default stages and custom fields) and a request budget of 1,000,000 per "
           "minute, so that polling and the PATCH load are not rate limited; the item budget is the default.\n"
        << "- **Preload** (untimed): each workspace's existing contacts are submitted as batches and applied; then "
           "a checkpoint.\n"
        << "- **End to end**: the 20 batch files are POSTed at once (`application/x-ndjson`, streamed in 1 MiB "
           "chunks, one connection each); the time runs from the first byte of the first POST until every job "
           "has been seen `completed` (statuses polled every ~100 ms). items/s = all items / that time.\n"
        << "- **COPY reference**: after the run, the rows contactd stored for the 20 workspaces (contacts, and "
           "their `contact_keys` unique-value claims) are exported to files after a `VACUUM` of the contactd "
           "database (else the autovacuum the run's updates start would compete with the COPYs); after a "
           "checkpoint they are COPYed "
           "(text format, one stream, one transaction, commit included) into the empty reference tables, which "
           "have the same indexes. Contacts alone, then contacts and their claims, alternately, "
        << kCopyRuns
        << " times each, each run after a TRUNCATE and a checkpoint; the median run counts (one COPY stream on "
           "a shared host was seen to vary by a third between runs). The ratio is contactd's "
           "items/s over the reference's rows/s (contacts/s): the reference writes the final rows once, contactd "
           "applies every item (creates, repeated updates, conflicts) and its result line.\n"
        << "- **CPU**: utime + stime from /proc, read just before the first POST and once every job is seen "
           "completed: of the server process (all its threads), of PostgreSQL (the postmaster with the backends "
           "it has reaped, and every live process it started) and of the whole machine (/proc/stat); \"other\" is "
           "the machine's busy time less those two (the driver, curl, the kernel's threads and interrupts, where "
           "part of the loopback TCP work is; approximate, as /proc/stat counts ticks; steal time is left out). "
           "Per item = CPU seconds over the timed batch's items.\n"
        << "- **Fairness**: when the big job (bench-0) is ~20% processed, a 50-item job of a workspace with no "
           "other work is POSTed; the time runs from its POST until it is seen completed (polled every 10 ms).\n"
        << "- **PATCH**: `wrk` (2 threads, `bench/e2e/patch.lua`) sets a new title on random contacts of bench-0 "
           "("
        << Grouped(results.patch.contacts)
        << " of them); then `pgbench` (`-M prepared`, 2 threads, "
           "`bench/e2e/patch_pgbench.sql`) runs the equivalent one-row UPDATE ... RETURNING as one autocommit "
           "transaction on the same contacts in the reference database, with the same connections and duration. "
           "p50/p99 come from wrk's latency histogram and pgbench's per-transaction log.\n"
        << "- **1 GiB acceptance**: `large-batch.ndjson` (1,000,000 create items padded to ~1 KB, just under "
           "1 GiB, generated by `contactd_workload --large-batch`) is POSTed to a fresh workspace after a `VACUUM` "
           "of the contactd database (the earlier phases' updated rows, which autovacuum would otherwise clean "
           "up during the POST) and a checkpoint (as before every timed phase); POST → 202 is timed, then the "
           "job is cancelled.\n"
        << "- **Memory**: the server's VmHWM from /proc/<pid>/status, sampled every 200 ms.\n"
        << "- **Correctness**: every job's counts; contacts per workspace (SQL) and "
        << "50 sampled contacts per "
           "workspace (found by their phone claim, read through `GET /v1/contacts/{id}`) against `expected.json`. "
           "Any mismatch makes the driver exit non-zero.\n\n";
}

}  // namespace

void WriteResultsPage(const BenchResults& results, const std::filesystem::path& path, const std::string& chart_name) {
    std::ostringstream out;
    WriteHeader(out, results);
    if (!chart_name.empty()) out << "![contactd vs the PostgreSQL references](" << chart_name << ")\n\n";
    WriteFigures(out, results);
    WriteTargets(out, results);
    WriteJobs(out, results);
    WriteChecks(out, results);
    WriteMethod(out, results);
    std::ofstream file(path, std::ios::trunc);
    file << out.str();
    if (!file.flush()) throw std::runtime_error("cannot write " + path.string());
}

std::string ResultsSummary(const BenchResults& results) {
    std::ostringstream out;
    if (results.batch.measured) {
        out << "  end to end: " << PerSecond(results.batch.ItemsPerSecond(), "items/s") << " in "
            << Fixed(results.batch.run.seconds, 1) << " s";
        if (results.copy.measured) {
            out << "; COPY " << PerSecond(results.copy.ContactsPerSecond(), "rows/s") << " (ratio "
                << Ratio(results.batch.ItemsPerSecond(), results.copy.ContactsPerSecond()) << "), with claims "
                << PerSecond(results.copy.WithKeysPerSecond(), "contacts/s") << " (ratio "
                << Ratio(results.batch.ItemsPerSecond(), results.copy.WithKeysPerSecond()) << ")";
        }
        out << "\n";
        if (results.batch.cpu.measured) out << "  CPU an item: " << CpuPerItem(results.batch) << "\n";
    }
    if (results.fairness.measured) out << "  fairness: " << Fixed(results.fairness.complete_seconds, 3) << " s\n";
    if (results.patch.measured) {
        out << "  PATCH: " << PerSecond(results.patch.contactd.PerSecond(), "req/s") << " vs pgbench "
            << PerSecond(results.patch.pgbench.PerSecond(), "tps") << " (ratio "
            << Ratio(results.patch.contactd.PerSecond(), results.patch.pgbench.PerSecond()) << ")\n";
    }
    if (results.large.measured) {
        out << "  1 GiB acceptance: " << Fixed(results.large.MegabytesPerSecond(), 1) << " MB/s\n";
    }
    out << "  server peak RSS: " << Megabytes(results.memory.whole_run) << "\n";
    for (const Check& check : results.checks) {
        if (!check.ok)
            out << "  MISMATCH " << check.name << ": expected " << check.expected << ", got " << check.actual << "\n";
    }
    return out.str();
}

}  // namespace contactd::bench::e2e
