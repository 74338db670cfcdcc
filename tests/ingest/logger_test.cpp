#include "ingest/logger.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace contactd::ingest {
namespace {

TEST(LoggerTest, ParsesEveryLevelByItsName) {
    for (const LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
        EXPECT_EQ(ParseLogLevel(LogLevelName(level)), level);
    }
    EXPECT_FALSE(ParseLogLevel("verbose").has_value());
    EXPECT_FALSE(ParseLogLevel("DEBUG").has_value());
    EXPECT_FALSE(ParseLogLevel("").has_value());
}

TEST(LoggerTest, DropsLinesBelowTheMinimumLevel) {
    std::vector<std::string> lines;
    Logger log([&](std::string_view line) { lines.emplace_back(line); }, LogLevel::kInfo);
    log.Debug("hidden");
    log.Info("shown");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("\"msg\":\"shown\""), std::string::npos);
    log.SetMinLevel(LogLevel::kDebug);
    EXPECT_TRUE(log.Enabled(LogLevel::kDebug));
    log.Debug("now shown", {{"items", 1000}});
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines[1].find("\"level\":\"debug\""), std::string::npos);
    EXPECT_NE(lines[1].find("\"items\":1000"), std::string::npos);
}

TEST(LoggerTest, EscapesFieldsSoNoLineCanBeForged) {
    const std::string line = Logger::FormatLine("2026-01-01T00:00:00.000Z", LogLevel::kWarn, "m",
                                                {{"path", "/a\"\n{\"level\":\"error\"}"}, {"ok", true}});
    EXPECT_EQ(line,
              "{\"ts\":\"2026-01-01T00:00:00.000Z\",\"level\":\"warn\",\"msg\":\"m\","
              "\"path\":\"/a\\\"\\n{\\\"level\\\":\\\"error\\\"}\",\"ok\":true}\n");
}

}  // namespace
}  // namespace contactd::ingest
