#include "app/progress_display.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace contactd::app {

namespace {

// States are padded to the longest name ("completed", "cancelled", "uploading") so the bars line up.
constexpr std::size_t kStateColumns = 9;
// Narrower than this, a bar says nothing: the line goes without it.
constexpr std::size_t kMinBarCells = 10;
constexpr std::size_t kSummaryKeyColumns = 17;  // "ignored_by_code: "

std::string PadRight(std::string text, std::size_t width) {
    if (text.size() < width) text.resize(width, ' ');
    return text;
}

std::string PadLeft(const std::string& text, std::size_t width) {
    return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

//! Exactly `width` characters: cut or padded with spaces (which also wipe a longer line drawn before).
std::string FitTo(std::string line, std::size_t width) {
    line.resize(width, ' ');
    return line;
}

std::string OneDecimal(double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.1f", value);
    return text;
}

//! `4.5`, `1,073.7`: bytes in decimal megabytes, rounded to a tenth.
std::string MegabytesNumber(std::uint64_t bytes) {
    const std::uint64_t tenths = (bytes + 50000) / 100000;
    return FormatCount(static_cast<std::int64_t>(tenths / 10)) + "." + std::to_string(tenths % 10);
}

//! `[#####-----]` with `cells` cells, filled in proportion.
std::string Bar(std::int64_t part, std::int64_t whole, std::size_t cells) {
    std::size_t filled = 0;
    if (whole > 0 && part > 0) {
        const auto clamped = std::min(part, whole);
        filled = static_cast<std::size_t>(static_cast<long double>(clamped) * static_cast<long double>(cells) /
                                          static_cast<long double>(whole));
    }
    return "[" + std::string(filled, '#') + std::string(cells - filled, '-') + "]";
}

//! `head [bar] tail` in exactly `width` characters, or `head tail` when there is no room for a bar.
std::string LineWithBar(const std::string& head, std::int64_t part, std::int64_t whole, const std::string& tail,
                        std::size_t width) {
    const std::size_t fixed = head.size() + 1 + 2 + 1 + tail.size();  // head, space, brackets, space, tail
    if (width >= fixed + kMinBarCells) return FitTo(head + " " + Bar(part, whole, width - fixed) + " " + tail, width);
    return FitTo(head + " " + tail, width);
}

std::string Field(std::string_view name, const std::string& value) {
    return PadRight(std::string(name) + ":", kSummaryKeyColumns) + value + "\n";
}

}  // namespace

JobProgress ProgressOf(const BatchStatus& status) {
    JobProgress progress;
    progress.state = engine::JobStateName(status.state);
    progress.processed = status.counts.processed;
    progress.total = status.counts.total;
    progress.items_per_second = status.items_per_second;
    progress.eta_seconds = status.eta_seconds;
    return progress;
}

std::string FormatCount(std::int64_t value) {
    const bool negative = value < 0;
    const auto magnitude = static_cast<std::uint64_t>(value);
    const std::string digits = std::to_string(negative ? 0 - magnitude : magnitude);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return negative ? "-" + out : out;
}

std::string FormatPercent(std::int64_t part, std::int64_t whole) {
    std::int64_t tenths = 0;
    if (whole > 0) {
        const std::int64_t clamped = std::clamp<std::int64_t>(part, 0, whole);
        tenths = static_cast<std::int64_t>(static_cast<long double>(clamped) * 1000 / static_cast<long double>(whole));
    }
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "%";
}

std::string FormatRate(double items_per_second) {
    if (!std::isfinite(items_per_second) || items_per_second <= 0) return "-- items/s";
    if (items_per_second < 99.95) return OneDecimal(items_per_second) + " items/s";
    return FormatCount(std::llround(items_per_second)) + " items/s";
}

std::string FormatEta(std::optional<double> seconds) {
    if (!seconds || !std::isfinite(*seconds)) return "ETA --:--";
    // Rounded up: "0:00" only once nothing is left.
    const auto total = static_cast<long long>(std::ceil(std::max(0.0, *seconds)));
    char text[64];
    if (total < 3600) {
        std::snprintf(text, sizeof text, "ETA %lld:%02lld", total / 60, total % 60);
    } else {
        std::snprintf(text, sizeof text, "ETA %lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
    }
    return text;
}

std::string FormatMegabytes(std::uint64_t bytes) { return MegabytesNumber(bytes) + " MB"; }

std::string FormatMegabytesPerSecond(std::uint64_t bytes, double seconds) {
    if (!(seconds > 0)) return "-- MB/s";
    return FormatMegabytes(static_cast<std::uint64_t>(static_cast<double>(bytes) / seconds)) + "/s";
}

std::string ProgressBar(const JobProgress& progress, std::size_t width) {
    const std::string tail = PadLeft(FormatPercent(progress.processed, progress.total), 6) + "  " +
                             FormatCount(progress.processed) + "/" + FormatCount(progress.total) + "  " +
                             FormatRate(progress.items_per_second) + "  " + FormatEta(progress.eta_seconds);
    return LineWithBar(PadRight(std::string(progress.state), kStateColumns), progress.processed, progress.total, tail,
                       width);
}

std::string ProgressLine(const JobProgress& progress) {
    return std::string(progress.state) + ": " + FormatCount(progress.processed) + "/" + FormatCount(progress.total) +
           " items (" + FormatPercent(progress.processed, progress.total) + "), " +
           FormatRate(progress.items_per_second) + ", " + FormatEta(progress.eta_seconds);
}

std::string UploadBar(const UploadProgress& upload, std::optional<std::uint64_t> total_bytes, double seconds,
                      std::size_t width) {
    const std::string rate = FormatMegabytesPerSecond(upload.input_bytes, seconds);
    if (!total_bytes) return FitTo("uploading  " + FormatMegabytes(upload.input_bytes) + "  " + rate, width);
    const auto part = static_cast<std::int64_t>(upload.input_bytes);
    const auto whole = static_cast<std::int64_t>(*total_bytes);
    const std::string tail = PadLeft(FormatPercent(part, whole), 6) + "  " + MegabytesNumber(upload.input_bytes) + "/" +
                             FormatMegabytes(*total_bytes) + "  " + rate;
    return LineWithBar("uploading", part, whole, tail, width);
}

std::string UploadLine(const UploadProgress& upload, std::optional<std::uint64_t> total_bytes, double seconds) {
    std::string line = "uploaded " + FormatMegabytes(upload.input_bytes);
    if (total_bytes) {
        line += " of " + FormatMegabytes(*total_bytes) + " (" +
                FormatPercent(static_cast<std::int64_t>(upload.input_bytes), static_cast<std::int64_t>(*total_bytes)) +
                ")";
    }
    line += ", " + FormatMegabytesPerSecond(upload.input_bytes, seconds);
    if (upload.sent_bytes != upload.input_bytes) line += ", " + FormatMegabytes(upload.sent_bytes) + " sent";
    return line;
}

std::string Summary(const BatchStatus& status, std::string_view results_command) {
    const engine::JobCounts& c = status.counts;
    std::string out = Field("job", status.job_id);
    out += Field("status", std::string(engine::JobStateName(status.state)));
    if (status.dry_run) out += Field("dry_run", "true (nothing was persisted)");
    out += Field("counts", "total " + std::to_string(c.total) + ", processed " + std::to_string(c.processed) + ", ok " +
                               std::to_string(c.ok) + ", ignored " + std::to_string(c.ignored) + ", created " +
                               std::to_string(c.created) + ", updated " + std::to_string(c.updated) + ", unchanged " +
                               std::to_string(c.unchanged) + ", with_remarks " + std::to_string(c.with_remarks));
    std::string codes;
    for (const auto& [code, n] : status.ignored_by_code) {
        codes += (codes.empty() ? "" : ", ") + code + " " + std::to_string(n);
    }
    out += Field("ignored_by_code", codes.empty() ? "none" : codes);
    out += Field("has_errors", status.has_errors ? "true" : "false");
    const auto duration = status.DurationSeconds();
    out += Field("duration", duration ? OneDecimal(*duration) + " s" : "-");
    out += Field("items/s", OneDecimal(status.items_per_second));
    if (status.message) out += Field("message", *status.message);
    if (c.ignored > 0) {
        out += Field("ignored items", std::string(results_command) + " --ignored");
    } else {
        out += Field("results", std::string(results_command));
    }
    return out;
}

bool LineThrottle::Due(std::int64_t now_ms, std::string_view state) {
    const bool due = !last_ms_ || now_ms - *last_ms_ >= interval_ms_ || state != last_state_;
    if (due) {
        last_ms_ = now_ms;
        last_state_ = std::string(state);
    }
    return due;
}

}  // namespace contactd::app
