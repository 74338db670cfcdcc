// `contactd submit FILE`: uploads a batch, follows the job to its end and prints a summary (SPEC §6, §7).
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/batch_client.hpp"
#include "app/commands.hpp"
#include "app/options.hpp"
#include "app/progress_display.hpp"

namespace contactd::app {

namespace {

constexpr const char* kSubmitUsage = R"(usage: contactd submit FILE [options]

Uploads FILE as one batch job, follows the job to its end and prints a summary.
FILE is NDJSON, one item per line (`-` reads standard input); a *.json file is a JSON document
{"items": [...], "mode": ..., "semantics": ..., "invalid_fields": ...}; a *.gz file is sent gzip-encoded as is.

  --key KEY                     API key with write scope (CONTACTD_API_KEY)
  --server URL                  the server (CONTACTD_URL, default http://127.0.0.1:8080)
  --mode upsert|create|update   NDJSON only (default upsert)
  --semantics patch|put         NDJSON only (default patch)
  --invalid-fields drop|reject  NDJSON only (default drop)
  --dry-run                     validate every item against the current data; persist nothing
  --callback-url URL            receives the final status when the job ends
  --idempotency-key KEY         a repeat with the same key and file returns the first job
  --gzip                        compress the upload on the fly
  --no-wait                     print the job id once the batch is accepted, and exit

Exit status: 0 completed, 3 completed with ignored items, 4 cancelled or failed, 1 transport or HTTP error,
2 usage error. Ctrl-C while waiting stops waiting (the job goes on) and prints the job id.
)";

const std::vector<std::string> kValueFlags = {"key",          "server",         "mode", "semantics", "invalid-fields",
                                              "callback-url", "idempotency-key"};
const std::vector<std::string> kBooleanFlags = {"dry-run", "gzip", "no-wait", "help"};

constexpr std::int64_t kTerminalRedrawMs = 100;
constexpr std::int64_t kPlainLineMs = 5000;
constexpr std::chrono::milliseconds kPollInterval{500};

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

std::atomic<bool> interrupted{false};

extern "C" void OnInterrupt(int) { interrupted.store(true); }

//! While it lives, the first Ctrl-C only sets `interrupted` (a second one ends the process as usual).
class InterruptCatcher {
  public:
    InterruptCatcher() {
        interrupted.store(false);
        struct sigaction action {};
        action.sa_handler = OnInterrupt;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;  // no SA_RESTART: a blocked read returns, and the wait ends sooner
        sigaction(SIGINT, &action, &previous_);
    }
    ~InterruptCatcher() { sigaction(SIGINT, &previous_, nullptr); }
    InterruptCatcher(const InterruptCatcher&) = delete;
    InterruptCatcher& operator=(const InterruptCatcher&) = delete;

  private:
    struct sigaction previous_ {};
};

std::int64_t SteadyMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

//! The progress shown on stderr: a bar redrawn in place on a terminal, a plain line now and then otherwise.
class ProgressOutput {
  public:
    ProgressOutput()
        : terminal_(::isatty(STDERR_FILENO) == 1), throttle_(terminal_ ? kTerminalRedrawMs : kPlainLineMs) {
        throttle_.Due(upload_start_, "uploading");  // the first upload line comes after an interval, with a speed
    }

    void Upload(const UploadProgress& upload, std::optional<std::uint64_t> total_bytes) {
        const std::int64_t now = SteadyMillis();
        const double seconds = static_cast<double>(now - upload_start_) / 1000.0;
        if (upload.done) {
            EndBar();
            std::cerr << UploadLine(upload, total_bytes, seconds) << "; waiting for the server to accept the batch\n";
        } else if (throttle_.Due(now, "uploading")) {
            Draw(terminal_ ? UploadBar(upload, total_bytes, seconds, Columns())
                           : UploadLine(upload, total_bytes, seconds));
        }
    }

    void Job(const BatchStatus& status) {
        const JobProgress progress = ProgressOf(status);
        if (terminal_) {
            Draw(ProgressBar(progress, Columns()));  // each poll: polls are already spaced out
        } else if (throttle_.Due(SteadyMillis(), progress.state)) {
            Draw(ProgressLine(progress));
        }
    }

    //! Ends a bar being redrawn, so what follows starts on a line of its own.
    void EndBar() {
        if (bar_drawn_) std::cerr << "\n";
        bar_drawn_ = false;
    }

  private:
    void Draw(const std::string& text) {
        if (terminal_) {
            std::cerr << "\r" << text << std::flush;
            bar_drawn_ = true;
        } else {
            std::cerr << text << "\n";
        }
    }

    // One column short of the terminal's width: writing into the last column wraps some terminals.
    static std::size_t Columns() {
        winsize size{};
        if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col - 1;
        return 79;
    }

    bool terminal_;
    LineThrottle throttle_;
    bool bar_drawn_ = false;
    std::int64_t upload_start_ = SteadyMillis();
};

//! The size of a regular file, for the upload's percentage; nullopt for stdin and pipes.
std::optional<std::uint64_t> InputSize(const std::string& path) {
    std::error_code error;
    if (path == "-" || !std::filesystem::is_regular_file(path, error)) return std::nullopt;
    const auto size = std::filesystem::file_size(path, error);
    if (error) return std::nullopt;
    return size;
}

int Usage(const std::string& problem) {
    std::cerr << "contactd submit: " << problem << "\n\n" << kSubmitUsage;
    return kExitUsage;
}

int ReportError(const ClientError& error) {
    std::cerr << "contactd submit: " << error.Describe() << "\n";
    if (!error.body.empty()) std::cerr << error.body << "\n";
    return kExitError;
}

}  // namespace

int RunSubmit(const std::vector<std::string>& args) {
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
        std::cout << kSubmitUsage;
        return kExitOk;
    }
    if (options.positional().size() != 1) return Usage("give exactly one FILE");
    const std::string path = options.positional()[0];
    const auto key = options.Get("key", "CONTACTD_API_KEY");
    if (!key) return Usage("no API key: pass --key KEY or set CONTACTD_API_KEY");
    const std::string server = options.Get("server", "CONTACTD_URL", "http://127.0.0.1:8080");

    SubmitOptions submit;
    submit.mode = options.Get("mode");
    submit.semantics = options.Get("semantics");
    submit.invalid_fields = options.Get("invalid-fields");
    submit.dry_run = options.Flag("dry-run");
    submit.callback_url = options.Get("callback-url");
    submit.idempotency_key = options.Get("idempotency-key");
    const UploadFormat format = UploadFormatFor(path, options.Flag("gzip"));
    if (const auto refused = CheckSubmitOptions(submit, format)) return Usage(*refused);

    std::ifstream file;
    if (path != "-") {
        file.open(path, std::ios::binary);
        if (!file) return Usage("cannot open " + path + ": " + std::strerror(errno));
    }
    std::istream& input = path == "-" ? std::cin : file;
    const auto total_bytes = InputSize(path);

    std::optional<BatchClient> client;
    try {
        client.emplace(server, *key);
    } catch (const std::invalid_argument& error) {
        return Usage(error.what());
    }
    ProgressOutput output;
    const auto submitted = client->Submit(input, format, submit,
                                          [&](const UploadProgress& upload) { output.Upload(upload, total_bytes); });
    output.EndBar();
    if (!submitted.ok()) return ReportError(submitted.error());
    const BatchStatus& accepted = submitted.value().status;
    const std::string results_command =
        "contactd results " + accepted.job_id + (options.Get("server") ? " --server " + server : "");
    std::cerr << (submitted.value().repeated ? "the Idempotency-Key names an earlier job: " : "accepted ") << "job "
              << accepted.job_id << " (" << FormatCount(accepted.counts.total) << " items)\n";

    if (options.Flag("no-wait")) {
        std::cout << "job:             " << accepted.job_id << "\n"
                  << "status:          " << engine::JobStateName(accepted.state) << "\n"
                  << "results:         " << results_command << "\n";
        return kExitOk;
    }

    WaitOptions wait;
    wait.interval = kPollInterval;
    wait.stop = &interrupted;
    ClientResult<BatchStatus> final_status = accepted;
    {
        const InterruptCatcher catcher;
        output.Job(accepted);
        if (!engine::IsFinished(accepted.state)) {
            final_status = client->Wait(accepted.job_id, wait, [&](const BatchStatus& status) { output.Job(status); });
        }
        output.EndBar();
        if (interrupted.load()) {
            std::cerr << "stopped waiting; job " << accepted.job_id
                      << " goes on on the server. Its results: " << results_command << "\n";
            std::cout << "job:             " << accepted.job_id << "\n";
            return kExitInterrupted;
        }
    }
    if (!final_status.ok()) return ReportError(final_status.error());
    std::cout << Summary(final_status.value(), results_command);
    return ExitCodeFor(final_status.value());
}

}  // namespace contactd::app
