#pragma once
// What `contactd submit` shows: the upload and job progress as a bar redrawn in place on a terminal or as
// plain lines otherwise, and the final summary. Pure text formatting — no clock, no terminal, no I/O — so
// every string is exact in tests. Sizes are decimal megabytes (1 MB = 1,000,000 bytes).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/batch_client.hpp"

namespace contactd::app {

//! A job's progress at one moment.
struct JobProgress {
    std::string_view state = "queued";
    std::int64_t processed = 0;
    std::int64_t total = 0;
    double items_per_second = 0;  // 0 while not known
    std::optional<double> eta_seconds;
};

//! The progress part of a status document.
JobProgress ProgressOf(const BatchStatus& status);

//! `1234567` → `1,234,567`.
std::string FormatCount(std::int64_t value);
//! `part` of `whole` rounded down to a tenth, so 100.0% means done: `45.2%`; `0.0%` when `whole` is 0.
std::string FormatPercent(std::int64_t part, std::int64_t whole);
//! `1,235 items/s` (100 and more), `12.5 items/s`, or `-- items/s` when not known (0).
std::string FormatRate(double items_per_second);
//! `ETA 0:07`, `ETA 12:05`, `ETA 1:02:03`, or `ETA --:--` when unknown.
std::string FormatEta(std::optional<double> seconds);
//! `12.3 MB`, `1,073.7 MB`.
std::string FormatMegabytes(std::uint64_t bytes);
//! `45.3 MB/s`, or `-- MB/s` before any time has passed.
std::string FormatMegabytesPerSecond(std::uint64_t bytes, double seconds);

//! One terminal line of exactly `width` characters:
//! `running   [#####-----]  45.2%  4,520/10,000  1,234 items/s  ETA 0:04`. The bar takes the room the
//! text leaves; under 10 cells it is left out, and the text is cut at `width`.
std::string ProgressBar(const JobProgress& progress, std::size_t width);
//! A plain line: `running: 4,520/10,000 items (45.2%), 1,234 items/s, ETA 0:04`.
std::string ProgressLine(const JobProgress& progress);

//! The upload as one terminal line of exactly `width` characters:
//! `uploading [#####-----]  45.0%  4.5/10.0 MB  2.3 MB/s`, or without a known size
//! `uploading  4.5 MB  2.3 MB/s`.
std::string UploadBar(const UploadProgress& upload, std::optional<std::uint64_t> total_bytes, double seconds,
                      std::size_t width);
//! A plain line: `uploaded 4.5 MB of 10.0 MB (45.0%), 2.3 MB/s`; with compression `, 1.1 MB sent` follows.
std::string UploadLine(const UploadProgress& upload, std::optional<std::uint64_t> total_bytes, double seconds);

//! The final report, one `name: value` line each for the job id, status, dry run (when it is one),
//! counts, ignored_by_code, has_errors, duration, items/s, message (when set), then the command that
//! fetches the ignored items (`results_command` + ` --ignored`), or all results when none was ignored.
std::string Summary(const BatchStatus& status, std::string_view results_command);

//! When a plain progress line is due: the first time, then once `interval_ms` has passed, and whenever the
//! state changes. Time is a parameter.
class LineThrottle {
  public:
    explicit LineThrottle(std::int64_t interval_ms) : interval_ms_(interval_ms) {}

    //! True (and remembered) when a line should be printed at `now_ms` for a job in `state`.
    bool Due(std::int64_t now_ms, std::string_view state);

  private:
    std::int64_t interval_ms_;
    std::optional<std::int64_t> last_ms_;
    std::string last_state_;
};

}  // namespace contactd::app
