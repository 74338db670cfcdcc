#include "engine/date_time.hpp"

#include <gtest/gtest.h>

#include <string>

namespace contactd::engine {
namespace {

constexpr Millis k20260101T1030 = 1767263400000;
const std::optional<std::string> kNoFormat;
const std::optional<std::string> kDayMonthYear = std::string("%d/%m/%Y");
const std::optional<std::string> kIsoMinutes = std::string("%Y-%m-%d %H:%M");

Millis Parsed(const Json& value, const std::optional<std::string>& format = kNoFormat) {
    const Checked<Millis> result = ParseDateInput(value, format);
    EXPECT_TRUE(result.ok()) << value.ToJsonText() << ": " << result.problem().message;
    return result.ok() ? result.value() : Millis{-1};
}

Millis ParsedText(std::string text, const std::optional<std::string>& format = kNoFormat) {
    return Parsed(Json::String(std::move(text)), format);
}

Problem Refused(const Json& value, const std::optional<std::string>& format = kNoFormat) {
    const Checked<Millis> result = ParseDateInput(value, format);
    EXPECT_FALSE(result.ok()) << value.ToJsonText() << " was accepted as " << (result.ok() ? result.value() : 0);
    return result.ok() ? Problem{Code::kUnknownField, "accepted"} : result.problem();
}

Problem RefusedText(std::string text, const std::optional<std::string>& format = kNoFormat) {
    return Refused(Json::String(std::move(text)), format);
}

bool Contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

// --- Unix milliseconds ----------------------------------------------------------------------------------------

TEST(ParseDateInput, AcceptsUnixMillisecondsAsAJsonInteger) {
    EXPECT_EQ(Parsed(Json::Integer(k20260101T1030)), k20260101T1030);
    EXPECT_EQ(Parsed(Json::Integer(0)), 0);
    EXPECT_EQ(Parsed(Json::Integer(-14182940000)), -14182940000);  // before 1970
}

TEST(ParseDateInput, AcceptsTheFirstAndLastSupportedMillisecond) {
    EXPECT_EQ(Parsed(Json::Integer(kMinMillis)), kMinMillis);
    EXPECT_EQ(Parsed(Json::Integer(kMaxMillis)), kMaxMillis);
}

TEST(ParseDateInput, RefusesMillisecondsOutsideYears1To9999AsInvalidFormat) {
    const Problem after = Refused(Json::Integer(kMaxMillis + 1));
    EXPECT_EQ(after.code, Code::kInvalidFormat);
    EXPECT_EQ(after.message,
              "not a valid date: 253402300800000 is outside the supported range 0001-01-01T00:00:00.000Z to "
              "9999-12-31T23:59:59.999Z");
    EXPECT_EQ(Refused(Json::Integer(kMinMillis - 1)).code, Code::kInvalidFormat);
}

TEST(ParseDateInput, RefusesAnIntegerTooLargeForInt64AsInvalidFormat) {
    const Json huge = Json::Number("99999999999999999999999", 1e23, true, false, 0);
    const Problem problem = Refused(huge);
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_TRUE(Contains(problem.message, "99999999999999999999999 is outside the supported range"));
}

TEST(ParseDateInput, RefusesNonIntegerNumbersAsInvalidType) {
    const Problem fraction = Refused(Json::Double(1767263400000.5));
    EXPECT_EQ(fraction.code, Code::kInvalidType);
    EXPECT_EQ(fraction.message,
              "expected a date (Unix milliseconds or RFC 3339 with offset), got the non-integer number "
              "1767263400000.5");
    EXPECT_EQ(Refused(Json::Number("1.7e12", 1.7e12, false, false, 0)).code, Code::kInvalidType);
    EXPECT_EQ(Refused(Json::Number("1767263400000.0", 1767263400000.0, false, false, 0)).code, Code::kInvalidType);
}

TEST(ParseDateInput, RefusesOtherJsonTypesAsInvalidTypeNamingTheAcceptedForms) {
    const Problem boolean = Refused(Json::Bool(true), kDayMonthYear);
    EXPECT_EQ(boolean.code, Code::kInvalidType);
    EXPECT_EQ(boolean.message,
              "expected a date (Unix milliseconds, RFC 3339 with offset, or the workspace format \"%d/%m/%Y\"), got "
              "a boolean");
    EXPECT_EQ(Refused(Json::Null()).message, "expected a date (Unix milliseconds or RFC 3339 with offset), got null");
    EXPECT_EQ(Refused(Json::Array()).code, Code::kInvalidType);
    EXPECT_EQ(Refused(Json::Object()).code, Code::kInvalidType);
}

TEST(ParseDateInput, ExplainsThatADigitStringShouldBeAJsonNumber) {
    const Problem problem = RefusedText("1767263400000");
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_TRUE(Contains(problem.message, "send Unix milliseconds as a JSON number")) << problem.message;
}

// --- RFC 3339 -------------------------------------------------------------------------------------------------

TEST(ParseDateInput, AcceptsRfc3339InUtc) {
    EXPECT_EQ(ParsedText("2026-01-01T10:30:00Z"), k20260101T1030);
    EXPECT_EQ(ParsedText("2026-01-01T10:30:00+00:00"), k20260101T1030);
    EXPECT_EQ(ParsedText("2026-01-01T10:30:00-00:00"), k20260101T1030);
}

TEST(ParseDateInput, AppliesPositiveNegativeAndNonHourOffsets) {
    EXPECT_EQ(ParsedText("2026-01-01T12:30:00+02:00"), k20260101T1030);
    EXPECT_EQ(ParsedText("2026-01-01T16:15:00+05:45"), k20260101T1030);  // Nepal
    EXPECT_EQ(ParsedText("2026-01-01T07:00:00-03:30"), k20260101T1030);  // Newfoundland
    EXPECT_EQ(ParsedText("2026-01-02T00:15:00+13:45"), k20260101T1030);  // Chatham Islands, next day
}

TEST(ParseDateInput, AcceptsCompactAndHourOnlyOffsets) {
    EXPECT_EQ(ParsedText("2026-01-01T16:15:00+0545"), k20260101T1030);
    EXPECT_EQ(ParsedText("2026-01-01T15:30:00+05"), k20260101T1030);
}

TEST(ParseDateInput, KeepsMillisecondsAndTruncatesFinerFractions) {
    EXPECT_EQ(ParsedText("2026-01-01T12:30:00.5+02:00"), k20260101T1030 + 500);
    EXPECT_EQ(ParsedText("2026-01-01T10:30:00.123Z"), k20260101T1030 + 123);
    EXPECT_EQ(ParsedText("2026-01-01T10:30:00.123456789Z"), k20260101T1030 + 123);
    EXPECT_EQ(ParsedText("2026-01-01T10:30:00.9999Z"), k20260101T1030 + 999);  // truncated, not rounded
    EXPECT_EQ(ParsedText("2026-01-01T10:30:00.07Z"), k20260101T1030 + 70);
}

TEST(ParseDateInput, AcceptsLowerCaseSeparatorsASpaceAndMissingSeconds) {
    EXPECT_EQ(ParsedText("2026-01-01t10:30:00z"), k20260101T1030);
    EXPECT_EQ(ParsedText("2026-01-01 10:30:00Z"), k20260101T1030);
    EXPECT_EQ(ParsedText("2026-01-01T10:30Z"), k20260101T1030);
}

TEST(ParseDateInput, TrimsSurroundingSpaces) { EXPECT_EQ(ParsedText(" 2026-01-01T10:30:00Z "), k20260101T1030); }

TEST(ParseDateInput, RefusesAnIsoStringWithoutOffsetAsInvalidFormat) {
    const Problem problem = RefusedText("2026-01-01T10:30:00");
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_EQ(problem.message,
              "not a valid date: \"2026-01-01T10:30:00\" has no UTC offset (end it with Z or an offset like +02:00); "
              "expected Unix milliseconds or RFC 3339 with offset");
}

TEST(ParseDateInput, RefusesAnIsoDateWithoutTimeWhenTheWorkspaceHasNoDateOnlyFormat) {
    const Problem problem = RefusedText("2026-01-01");
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_TRUE(Contains(problem.message, "is a date without a time and UTC offset")) << problem.message;
    EXPECT_EQ(RefusedText("2026-01-01", kDayMonthYear).code, Code::kInvalidFormat);
}

TEST(ParseDateInput, AcceptsFebruary29InLeapYearsOnly) {
    EXPECT_EQ(ParsedText("2024-02-29T00:00:00Z"), 1709164800000);
    EXPECT_EQ(ParsedText("2000-02-29T00:00:00Z"), 951782400000);  // divisible by 400: leap
    const Problem not_leap = RefusedText("2023-02-29T00:00:00Z");
    EXPECT_EQ(not_leap.code, Code::kInvalidFormat);
    EXPECT_TRUE(Contains(not_leap.message, "has the day 29, but February 2023 has 28 days")) << not_leap.message;
    EXPECT_EQ(RefusedText("1900-02-29T00:00:00Z").code, Code::kInvalidFormat);  // divisible by 100: not leap
}

TEST(ParseDateInput, RefusesImpossibleCalendarAndClockValues) {
    for (const char* text :
         {"2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
          "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T10:60:00Z", "2026-01-01T10:30:61Z"}) {
        EXPECT_EQ(RefusedText(text).code, Code::kInvalidFormat) << text;
    }
}

TEST(ParseDateInput, RefusesOffsetsThatDoNotExist) {
    EXPECT_EQ(RefusedText("2026-01-01T10:30:00+24:00").code, Code::kInvalidFormat);
    EXPECT_EQ(RefusedText("2026-01-01T10:30:00+05:60").code, Code::kInvalidFormat);
    EXPECT_EQ(RefusedText("2026-01-01T10:30:00+5:00").code, Code::kInvalidFormat);
    EXPECT_EQ(RefusedText("2026-01-01T10:30:00+05:0").code, Code::kInvalidFormat);
}

TEST(ParseDateInput, RefusesMalformedIsoStrings) {
    for (const char* text : {"2026-1-01T10:30:00Z", "26-01-01T10:30:00Z", "2026-01-01T1030Z", "2026-01-01T10:30:00.Z",
                             "2026-01-01T10:30:00Zjunk", "2026-01-01X10:30:00Z", "", "tomorrow"}) {
        EXPECT_EQ(RefusedText(text).code, Code::kInvalidFormat) << text;
    }
}

TEST(ParseDateInput, CountsALeapSecondIntoTheNextMinute) {
    EXPECT_EQ(ParsedText("2016-12-31T23:59:60Z"), 1483228800000);
}

TEST(ParseDateInput, AcceptsTheFirstAndLastSupportedInstantsAsText) {
    EXPECT_EQ(ParsedText("0001-01-01T00:00:00Z"), kMinMillis);
    EXPECT_EQ(ParsedText("9999-12-31T23:59:59.999Z"), kMaxMillis);
}

TEST(ParseDateInput, RefusesYearsOutside1To9999EvenWhenOnlyTheOffsetCrossesTheEdge) {
    EXPECT_TRUE(Contains(RefusedText("0000-12-31T00:00:00Z").message, "has the year 0000"));
    EXPECT_TRUE(Contains(RefusedText("0001-01-01T00:00:00+00:01").message, "outside the supported range"));
    EXPECT_TRUE(Contains(RefusedText("9999-12-31T23:59:59.999-00:01").message, "outside the supported range"));
    EXPECT_EQ(RefusedText("10000-01-01T00:00:00Z").code, Code::kInvalidFormat);
    EXPECT_EQ(RefusedText("-0001-01-01T00:00:00Z").code, Code::kInvalidFormat);
}

// --- workspace format -----------------------------------------------------------------------------------------

TEST(ParseDateInput, ReadsADateOnlyWorkspaceFormatAsMidnightUtc) {
    EXPECT_EQ(ParsedText("31/12/2026", kDayMonthYear), 1798675200000);
    EXPECT_EQ(FormatTimestamp(ParsedText("31/12/2026", kDayMonthYear)), "2026-12-31T00:00:00.000Z");
}

TEST(ParseDateInput, ReadsOneDigitDaysAndMonthsInTheWorkspaceFormat) {
    EXPECT_EQ(FormatTimestamp(ParsedText("1/2/2026", kDayMonthYear)), "2026-02-01T00:00:00.000Z");
}

TEST(ParseDateInput, StillAcceptsRfc3339AndMillisecondsWhenTheWorkspaceHasAFormat) {
    EXPECT_EQ(ParsedText("2026-01-01T10:30:00Z", kDayMonthYear), k20260101T1030);
    EXPECT_EQ(Parsed(Json::Integer(k20260101T1030), kDayMonthYear), k20260101T1030);
}

TEST(ParseDateInput, ReadsAWorkspaceFormatWithTime) {
    EXPECT_EQ(ParsedText("2026-01-01 10:30", kIsoMinutes), k20260101T1030);
}

TEST(ParseDateInput, AcceptsAnIsoLikeDateOnlyWorkspaceFormatAsMidnightUtc) {
    EXPECT_EQ(FormatTimestamp(ParsedText("2026-01-01", std::string("%Y-%m-%d"))), "2026-01-01T00:00:00.000Z");
}

TEST(ParseDateInput, ExplainsAnImpossibleDateInTheWorkspaceFormat) {
    const Problem problem = RefusedText("31/02/2026", kDayMonthYear);
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_EQ(problem.message,
              "not a valid date: \"31/02/2026\" has the day 31, but February 2026 has 28 days; expected Unix "
              "milliseconds, RFC 3339 with offset, or the workspace format \"%d/%m/%Y\"");
    EXPECT_EQ(ParsedText("29/02/2024", kDayMonthYear), 1709164800000);
}

TEST(ParseDateInput, RefusesAnOffsetLessIsoStringEvenWithAWorkspaceFormat) {
    const Problem problem = RefusedText("2026-01-01T10:30:00", kDayMonthYear);
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_TRUE(Contains(problem.message, "has no UTC offset")) << problem.message;
    EXPECT_TRUE(Contains(problem.message, "the workspace format \"%d/%m/%Y\"")) << problem.message;
}

TEST(ParseDateInput, RefusesTextThatMatchesNoAcceptedForm) {
    const Problem problem = RefusedText("12-31-2026", kDayMonthYear);
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_EQ(problem.message,
              "not a valid date: \"12-31-2026\" is not in an accepted form; expected Unix milliseconds, RFC 3339 "
              "with offset, or the workspace format \"%d/%m/%Y\"");
    EXPECT_EQ(RefusedText("31/12/26", kDayMonthYear).code, Code::kInvalidFormat);  // %Y wants four digits
    EXPECT_EQ(RefusedText("31/12/2026 ", std::string("%d/%m/%Y!")).code, Code::kInvalidFormat);
}

TEST(ParseDateInput, IgnoresAnUnusableWorkspaceFormat) {
    const Problem problem = RefusedText("31/12", std::string("%d/%m"));
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_TRUE(Contains(problem.message, "expected Unix milliseconds or RFC 3339 with offset")) << problem.message;
}

TEST(ParseWithFormat, ReadsEveryConversionAndLiteralPercent) {
    const Checked<Millis> result = ParseWithFormat("at 100% 2026.01.01 10h30m05s", "at 100%% %Y.%m.%d %Hh%Mm%Ss");
    ASSERT_TRUE(result.ok()) << result.problem().message;
    EXPECT_EQ(result.value(), k20260101T1030 + 5000);
}

TEST(ParseWithFormat, ReadsAdjacentZeroPaddedConversions) {
    const Checked<Millis> result = ParseWithFormat("20260101", "%Y%m%d");
    ASSERT_TRUE(result.ok()) << result.problem().message;
    EXPECT_EQ(FormatTimestamp(result.value()), "2026-01-01T00:00:00.000Z");
}

TEST(ParseWithFormat, RefusesYearZeroAndImpossibleTimes) {
    EXPECT_FALSE(ParseWithFormat("01/01/0000", "%d/%m/%Y").ok());
    EXPECT_FALSE(ParseWithFormat("2026-01-01 25:00", "%Y-%m-%d %H:%M").ok());
    EXPECT_FALSE(ParseWithFormat("2026-01-01 10:75", "%Y-%m-%d %H:%M").ok());
}

TEST(ParseWithFormat, RefusesAnUnusableFormatWithoutThrowing) {
    const Checked<Millis> result = ParseWithFormat("2026", "%Y %q");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.problem().code, Code::kInvalidFormat);
}

TEST(IsValidDateFormat, AcceptsFormatsWithYearMonthAndDay) {
    EXPECT_TRUE(IsValidDateFormat("%d/%m/%Y"));
    EXPECT_TRUE(IsValidDateFormat("%Y-%m-%d %H:%M"));
    EXPECT_TRUE(IsValidDateFormat("%Y-%m-%dT%H:%M:%S"));
    EXPECT_TRUE(IsValidDateFormat("%Y%m%d %%"));
}

TEST(IsValidDateFormat, RefusesMissingRepeatedOrUnsupportedConversions) {
    for (const char* format : {"", "%d/%m", "%m/%Y", "%Y-%m-%d %Y", "%y-%m-%d", "%Y-%b-%d", "%Y-%m-%d %",
                               "%Y-%m-%d %I:%M %p", "plain text"}) {
        EXPECT_FALSE(IsValidDateFormat(format)) << format;
    }
}

// --- RFC 3339 alone and output --------------------------------------------------------------------------------

TEST(ParseRfc3339, ParsesWithOffsetAndExplainsAMissingOne) {
    const Checked<Millis> ok = ParseRfc3339("2026-01-01T10:30:00Z");
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok.value(), k20260101T1030);
    const Checked<Millis> missing = ParseRfc3339("2026-01-01T10:30:00");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.problem().code, Code::kInvalidFormat);
    EXPECT_EQ(missing.problem().message,
              "not a valid RFC 3339 timestamp: \"2026-01-01T10:30:00\" has no UTC offset (end it with Z or an offset "
              "like +02:00)");
}

TEST(FormatTimestamp, WritesUtcWithMillisecondsAndZ) {
    EXPECT_EQ(FormatTimestamp(k20260101T1030), "2026-01-01T10:30:00.000Z");
    EXPECT_EQ(FormatTimestamp(k20260101T1030 + 7), "2026-01-01T10:30:00.007Z");
    EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(FormatTimestamp(951782400000), "2000-02-29T00:00:00.000Z");
}

TEST(FormatTimestamp, WritesInstantsBefore1970) {
    EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(FormatTimestamp(-14182940000), "1969-07-20T20:17:40.000Z");
}

TEST(FormatTimestamp, WritesTheSupportedRangeEnds) {
    EXPECT_EQ(FormatTimestamp(kMinMillis), "0001-01-01T00:00:00.000Z");
    EXPECT_EQ(FormatTimestamp(kMaxMillis), "9999-12-31T23:59:59.999Z");
}

TEST(FormatTimestamp, RoundTripsThroughParseRfc3339) {
    for (const Millis millis :
         {kMinMillis, kMinMillis + 86399999, Millis{-62135596800000 + 31536000000}, Millis{-1}, Millis{0}, Millis{1},
          Millis{951868799999}, Millis{4102444800000}, k20260101T1030 + 999, kMaxMillis - 86400000, kMaxMillis}) {
        const Checked<Millis> back = ParseRfc3339(FormatTimestamp(millis));
        ASSERT_TRUE(back.ok()) << FormatTimestamp(millis) << ": " << back.problem().message;
        EXPECT_EQ(back.value(), millis) << FormatTimestamp(millis);
    }
}

TEST(DaysFromCivil, MatchesKnownDayNumbers) {
    EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
    EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
    EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
    EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
    EXPECT_EQ(DaysFromCivil(9999, 12, 31), 2932896);
}

}  // namespace
}  // namespace contactd::engine
