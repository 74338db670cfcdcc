#include "ingest/logger.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>

#include "engine/json_writer.hpp"

namespace contactd::ingest {

std::string_view LogLevelName(LogLevel level) {
    switch (level) {
        case LogLevel::kDebug:
            return "debug";
        case LogLevel::kInfo:
            return "info";
        case LogLevel::kWarn:
            return "warn";
        case LogLevel::kError:
            return "error";
    }
    return "info";
}

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
    for (const LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
        if (name == LogLevelName(level)) return level;
    }
    return std::nullopt;
}

LogField::LogField(std::string_view key, std::uint64_t value)
    : key_(key),
      value_(value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                 ? std::numeric_limits<std::int64_t>::max()
                 : static_cast<std::int64_t>(value)) {}

Logger::Logger(Sink sink, LogLevel min_level) : sink_(std::move(sink)), min_level_(min_level) {}

Logger& Logger::Default() {
    static Logger logger;
    return logger;
}

std::string LogTimestampNow() {
    const auto now = std::chrono::system_clock::now();
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis % 1000));
    return buffer;
}

std::string Logger::FormatLine(std::string_view ts, LogLevel level, std::string_view msg,
                               std::initializer_list<LogField> fields) {
    std::string line;
    line.reserve(160);
    engine::JsonWriter writer(line);
    writer.BeginObject();
    writer.Key("ts").String(ts);
    writer.Key("level").String(LogLevelName(level));
    writer.Key("msg").String(msg);
    for (const LogField& field : fields) {
        writer.Key(field.key_);
        std::visit(
            [&](const auto& value) {
                using T = std::decay_t<decltype(value)>;
                if constexpr (std::is_same_v<T, std::string_view>) writer.String(value);
                if constexpr (std::is_same_v<T, std::int64_t>) writer.Int(value);
                if constexpr (std::is_same_v<T, double>) writer.Double(value);
                if constexpr (std::is_same_v<T, bool>) writer.Bool(value);
            },
            field.value_);
    }
    writer.EndObject();
    line.push_back('\n');
    return line;
}

void Logger::Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
    if (!Enabled(level)) return;
    const std::string line = FormatLine(LogTimestampNow(), level, msg, fields);
    std::lock_guard lock(mutex_);
    if (sink_) {
        sink_(line);
    } else {
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fflush(stderr);
    }
}

}  // namespace contactd::ingest
