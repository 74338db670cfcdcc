#pragma once
// Structured logs: one JSON object per line, `{"ts","level","msg",...fields}`, written whole under a lock
// so lines from different threads never interleave. Strings are escaped by engine::AppendJsonString, so a
// hostile path or header cannot forge a log line.

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace contactd::ingest {

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn, kError };

//! "debug", "info", "warn", "error".
std::string_view LogLevelName(LogLevel level);

//! The level named "debug", "info", "warn" or "error"; nullopt for anything else.
std::optional<LogLevel> ParseLogLevel(std::string_view name);

//! One extra member of a log line: a key and a string, integer, floating-point or boolean value.
struct LogField {
    LogField(std::string_view key, std::string_view value) : key_(key), value_(value) {}
    LogField(std::string_view key, const char* value) : key_(key), value_(std::string_view(value)) {}
    LogField(std::string_view key, const std::string& value) : key_(key), value_(std::string_view(value)) {}
    LogField(std::string_view key, std::int64_t value) : key_(key), value_(value) {}
    LogField(std::string_view key, int value) : key_(key), value_(std::int64_t{value}) {}
    LogField(std::string_view key, unsigned value) : key_(key), value_(std::int64_t{value}) {}
    LogField(std::string_view key, std::uint64_t value);
    LogField(std::string_view key, double value) : key_(key), value_(value) {}
    LogField(std::string_view key, bool value) : key_(key), value_(value) {}

    std::string_view key_;
    std::variant<std::string_view, std::int64_t, double, bool> value_;
};

//! A thread-safe JSON-lines logger writing to a sink (stderr unless told otherwise).
class Logger {
  public:
    //! Receives each complete line, '\n' included.
    using Sink = std::function<void(std::string_view line)>;

    //! An empty sink writes to stderr.
    explicit Logger(Sink sink = {}, LogLevel min_level = LogLevel::kInfo);

    //! The process-wide stderr logger.
    static Logger& Default();

    void SetMinLevel(LogLevel level) { min_level_.store(level, std::memory_order_relaxed); }
    bool Enabled(LogLevel level) const { return level >= min_level_.load(std::memory_order_relaxed); }

    void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
    void Debug(std::string_view msg, std::initializer_list<LogField> fields = {}) {
        Log(LogLevel::kDebug, msg, fields);
    }
    void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) { Log(LogLevel::kInfo, msg, fields); }
    void Warn(std::string_view msg, std::initializer_list<LogField> fields = {}) { Log(LogLevel::kWarn, msg, fields); }
    void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) {
        Log(LogLevel::kError, msg, fields);
    }

    //! The line Log would write (without the lock or the sink); `ts` is passed in, e.g. for tests.
    static std::string FormatLine(std::string_view ts, LogLevel level, std::string_view msg,
                                  std::initializer_list<LogField> fields);

  private:
    std::mutex mutex_;
    Sink sink_;
    std::atomic<LogLevel> min_level_;
};

//! Now as RFC 3339 UTC with milliseconds: "2026-01-01T10:30:00.000Z".
std::string LogTimestampNow();

}  // namespace contactd::ingest
