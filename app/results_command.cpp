// `contactd results JOB`: a batch job's per-item results, as NDJSON on stdout (SPEC §6, §9).
#include <algorithm>
#include <charconv>
#include <iostream>

#include "app/batch_client.hpp"
#include "app/commands.hpp"
#include "app/options.hpp"

namespace contactd::app {

namespace {

constexpr const char* kResultsUsage = R"(usage: contactd results JOB [--ignored | --ok] [options]

Writes the job's per-item results to standard output as NDJSON, one line per item in submission order
({"index", "ref", "status", "action" | "code", "contact_id", "remarks"}), as they arrive.

  --ignored            only the IGNORED items
  --ok                 only the OK items
  --key KEY            API key (CONTACTD_API_KEY)
  --server URL         the server (CONTACTD_URL, default http://127.0.0.1:8080)
  --page-size N        read through the paged API, N results a request (1 to 1000), instead of one stream

Exit status: 0 done, 1 transport or HTTP error (an unknown job is JOB_NOT_FOUND), 2 usage error.
)";

const std::vector<std::string> kValueFlags = {"key", "server", "page-size"};
const std::vector<std::string> kBooleanFlags = {"ignored", "ok", "help"};

//! The first `--flag` that is not one of `known`, so a typo is refused instead of silently ignored.
std::optional<std::string> UnknownFlag(const std::vector<std::string>& args, const std::vector<std::string>& known) {
    for (const std::string& arg : args) {
        if (arg.rfind("--", 0) != 0 || arg == "--") continue;
        std::string name = arg.substr(2);
        name = name.substr(0, name.find('='));
        if (std::find(known.begin(), known.end(), name) == known.end()) return arg;
    }
    return std::nullopt;
}

int Usage(const std::string& problem) {
    std::cerr << "contactd results: " << problem << "\n\n" << kResultsUsage;
    return kExitUsage;
}

int ReportError(const ClientError& error) {
    std::cerr << "contactd results: " << error.Describe() << "\n";
    if (!error.body.empty()) std::cerr << error.body << "\n";
    return kExitError;
}

std::optional<int> ParsePageSize(const std::string& text) {
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 1000) return std::nullopt;
    return value;
}

}  // namespace

int RunResults(const std::vector<std::string>& args) {
    std::vector<std::string> known = kValueFlags;
    known.insert(known.end(), kBooleanFlags.begin(), kBooleanFlags.end());
    if (const auto unknown = UnknownFlag(args, known)) return Usage("unknown option " + *unknown);
    std::optional<Options> parsed;
    try {
        parsed.emplace(args, kBooleanFlags);
    } catch (const std::invalid_argument& error) {
        return Usage(error.what());
    }
    const Options& options = *parsed;
    if (options.Flag("help")) {
        std::cout << kResultsUsage;
        return kExitOk;
    }
    if (options.positional().size() != 1) return Usage("give exactly one JOB id");
    const std::string& job_id = options.positional()[0];
    if (options.Flag("ignored") && options.Flag("ok")) return Usage("--ignored and --ok exclude each other");
    const ResultFilter filter = options.Flag("ignored") ? ResultFilter::kIgnored
                                : options.Flag("ok")    ? ResultFilter::kOk
                                                        : ResultFilter::kAll;
    std::optional<int> page_size;
    if (const auto text = options.Get("page-size")) {
        page_size = ParsePageSize(*text);
        if (!page_size) return Usage("--page-size must be between 1 and 1000");
    }
    const auto key = options.Get("key", "CONTACTD_API_KEY");
    if (!key) return Usage("no API key: pass --key KEY or set CONTACTD_API_KEY");

    std::optional<BatchClient> client;
    try {
        client.emplace(options.Get("server", "CONTACTD_URL", "http://127.0.0.1:8080"), *key);
    } catch (const std::invalid_argument& error) {
        return Usage(error.what());
    }
    // The job's status first: a clear JOB_NOT_FOUND, and a word when the results are not complete yet.
    const auto status = client->Status(job_id);
    if (!status.ok()) return ReportError(status.error());
    if (!engine::IsFinished(status.value().state)) {
        std::cerr << "contactd results: job " << job_id << " is " << engine::JobStateName(status.value().state) << " ("
                  << status.value().counts.processed << " of " << status.value().counts.total
                  << " items processed); these are the results so far\n";
    }

    const auto write = [](std::string_view data) {
        std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
        std::cout.flush();
    };
    const auto done = page_size ? client->PageResults(job_id, filter, *page_size, write)
                                : client->StreamResults(job_id, filter, write);
    if (!done.ok()) return ReportError(done.error());
    if (!std::cout) {
        std::cerr << "contactd results: cannot write to standard output\n";
        return kExitError;
    }
    return kExitOk;
}

}  // namespace contactd::app
