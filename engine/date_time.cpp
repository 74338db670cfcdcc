#include "engine/date_time.hpp"

#include <array>

#include "engine/text_rules.hpp"

namespace contactd::engine {

namespace {

constexpr Millis kMillisPerSecond = 1000;
constexpr Millis kMillisPerMinute = 60 * kMillisPerSecond;
constexpr Millis kMillisPerHour = 60 * kMillisPerMinute;
constexpr Millis kMillisPerDay = 24 * kMillisPerHour;
constexpr std::string_view kRangeReason =
    "is outside the supported range 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z";
constexpr std::array<std::string_view, 12> kMonthNames = {"January",   "February", "March",    "April",
                                                          "May",       "June",     "July",     "August",
                                                          "September", "October",  "November", "December"};

//! One parser's attempt at a text: the instant, or why not. `shape_matched` says the text had the
//! parser's form and only a value in it was wrong, so its reason is the one worth telling the user.
struct Attempt {
    std::optional<Millis> millis;
    std::string reason;
    bool shape_matched = false;
};

Attempt Failed(std::string reason, bool shape_matched) { return {std::nullopt, std::move(reason), shape_matched}; }

//! Broken-down UTC (or local, before the offset is applied) time.
struct CivilTime {
    long long year = 1970;
    unsigned month = 1;
    unsigned day = 1;
    unsigned hour = 0;
    unsigned minute = 0;
    unsigned second = 0;
    unsigned millisecond = 0;
};

bool IsLeapYear(long long year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

unsigned DaysInMonth(long long year, unsigned month) {
    constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

std::string TwoDigits(unsigned value) {
    return std::string{static_cast<char>('0' + value / 10 % 10), static_cast<char>('0' + value % 10)};
}

std::string YearText(long long year) {
    std::string digits = std::to_string(year < 0 ? -year : year);
    if (digits.size() < 4) digits.insert(0, 4 - digits.size(), '0');
    return year < 0 ? "-" + digits : digits;
}

std::optional<std::string> CivilProblem(const CivilTime& time) {
    if (time.year < 1 || time.year > 9999) {
        return "has the year " + YearText(time.year) + "; years run from 0001 to 9999";
    }
    if (time.month < 1 || time.month > 12)
        return "has the month " + TwoDigits(time.month) + "; months run from 01 to 12";
    const unsigned days = DaysInMonth(time.year, time.month);
    if (time.day < 1 || time.day > days) {
        return "has the day " + TwoDigits(time.day) + ", but " + std::string(kMonthNames[time.month - 1]) + " " +
               YearText(time.year) + " has " + std::to_string(days) + " days";
    }
    if (time.hour > 23) return "has the hour " + TwoDigits(time.hour) + "; hours run from 00 to 23";
    if (time.minute > 59) return "has the minute " + TwoDigits(time.minute) + "; minutes run from 00 to 59";
    // 60 is a leap second (RFC 3339 allows it); it is counted into the next minute.
    if (time.second > 60) return "has the second " + TwoDigits(time.second) + "; seconds run from 00 to 60";
    return std::nullopt;
}

Millis ToMillis(const CivilTime& time) {
    return DaysFromCivil(time.year, time.month, time.day) * kMillisPerDay + Millis{time.hour} * kMillisPerHour +
           Millis{time.minute} * kMillisPerMinute + Millis{time.second} * kMillisPerSecond + Millis{time.millisecond};
}

bool InRange(Millis millis) { return millis >= kMinMillis && millis <= kMaxMillis; }

//! Reads digits and literals from a text, left to right.
class Cursor {
  public:
    explicit Cursor(std::string_view text) : text_(text) {}

    bool AtEnd() const { return pos_ == text_.size(); }
    char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

    bool Accept(char c) {
        if (Peek() != c) return false;
        ++pos_;
        return true;
    }

    //! Between `min_digits` and `max_digits` decimal digits (as many as there are, up to the maximum).
    bool Digits(std::size_t min_digits, std::size_t max_digits, unsigned& out) {
        std::size_t taken = 0;
        unsigned value = 0;
        while (taken < max_digits && IsDigit(Peek())) {
            value = value * 10 + static_cast<unsigned>(text_[pos_] - '0');
            ++pos_;
            ++taken;
        }
        out = value;
        return taken >= min_digits;
    }

    //! A fraction's digits: the first three give milliseconds, the rest are dropped (truncation).
    bool Fraction(unsigned& millis) {
        if (!IsDigit(Peek())) return false;
        unsigned value = 0;
        std::size_t taken = 0;
        for (; IsDigit(Peek()); ++pos_, ++taken) {
            if (taken < 3) value = value * 10 + static_cast<unsigned>(text_[pos_] - '0');
        }
        for (; taken < 3; ++taken) value *= 10;
        millis = value;
        return true;
    }

  private:
    static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

    std::string_view text_;
    std::size_t pos_ = 0;
};

constexpr std::string_view kIsoShape = "is not in the form YYYY-MM-DDThh:mm:ss followed by Z or an offset like +02:00";

// The offset in milliseconds east of UTC, after `Z`, `±hh:mm`, `±hhmm` or `±hh`.
std::optional<Millis> ReadOffset(Cursor& cursor, std::string& reason) {
    if (cursor.Accept('Z') || cursor.Accept('z')) return Millis{0};
    const bool east = cursor.Peek() == '+';
    if (!cursor.Accept('+') && !cursor.Accept('-')) {
        reason = "has unexpected text where the UTC offset (Z or +hh:mm) should be";
        return std::nullopt;
    }
    unsigned hours = 0;
    unsigned minutes = 0;
    if (!cursor.Digits(2, 2, hours)) {
        reason = "has a malformed UTC offset; write it as Z or +hh:mm";
        return std::nullopt;
    }
    if (cursor.Accept(':') ? !cursor.Digits(2, 2, minutes) : (!cursor.AtEnd() && !cursor.Digits(2, 2, minutes))) {
        reason = "has a malformed UTC offset; write it as Z or +hh:mm";
        return std::nullopt;
    }
    if (hours > 23 || minutes > 59) {
        reason = "has the UTC offset " + TwoDigits(hours) + ":" + TwoDigits(minutes) + ", which does not exist";
        return std::nullopt;
    }
    const Millis offset = Millis{hours} * kMillisPerHour + Millis{minutes} * kMillisPerMinute;
    return east ? offset : -offset;
}

Attempt TryRfc3339(std::string_view text) {
    Cursor cursor(text);
    CivilTime time;
    unsigned year = 0;
    if (!cursor.Digits(4, 4, year) || !cursor.Accept('-') || !cursor.Digits(2, 2, time.month) || !cursor.Accept('-') ||
        !cursor.Digits(2, 2, time.day)) {
        return Failed(std::string(kIsoShape), false);
    }
    time.year = year;
    if (cursor.AtEnd()) return Failed("is a date without a time and UTC offset", true);
    if (!cursor.Accept('T') && !cursor.Accept('t') && !cursor.Accept(' ')) return Failed(std::string(kIsoShape), true);
    if (!cursor.Digits(2, 2, time.hour) || !cursor.Accept(':') || !cursor.Digits(2, 2, time.minute)) {
        return Failed(std::string(kIsoShape), true);
    }
    if (cursor.Accept(':')) {
        if (!cursor.Digits(2, 2, time.second)) return Failed(std::string(kIsoShape), true);
        if (cursor.Accept('.') && !cursor.Fraction(time.millisecond)) {
            return Failed("has a \".\" without digits after the seconds", true);
        }
    }
    if (cursor.AtEnd()) return Failed("has no UTC offset (end it with Z or an offset like +02:00)", true);
    std::string reason;
    const std::optional<Millis> offset = ReadOffset(cursor, reason);
    if (!offset) return Failed(std::move(reason), true);
    if (!cursor.AtEnd()) return Failed("has unexpected text after the UTC offset", true);
    if (auto problem = CivilProblem(time)) return Failed(std::move(*problem), true);

    const Millis millis = ToMillis(time) - *offset;
    if (!InRange(millis)) return Failed(std::string(kRangeReason), true);
    return {millis, {}, true};
}

Attempt TryFormat(std::string_view text, std::string_view format) {
    const auto mismatch = [&] { return Failed("does not match the format " + QuoteForMessage(format), false); };
    Cursor cursor(text);
    CivilTime time;
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') {
            if (!cursor.Accept(format[i])) return mismatch();
            continue;
        }
        const char conversion = format[++i];  // IsValidDateFormat guarantees a conversion follows
        unsigned value = 0;
        bool read = false;
        switch (conversion) {
            case 'Y':
                read = cursor.Digits(4, 4, value);
                time.year = value;
                break;
            case 'm':
                read = cursor.Digits(1, 2, time.month);
                break;
            case 'd':
                read = cursor.Digits(1, 2, time.day);
                break;
            case 'H':
                read = cursor.Digits(1, 2, time.hour);
                break;
            case 'M':
                read = cursor.Digits(1, 2, time.minute);
                break;
            case 'S':
                read = cursor.Digits(1, 2, time.second);
                break;
            default:
                read = cursor.Accept('%');
                break;
        }
        if (!read) return mismatch();
    }
    if (!cursor.AtEnd()) return mismatch();
    if (auto problem = CivilProblem(time)) return Failed(std::move(*problem), true);
    const Millis millis = ToMillis(time);
    if (!InRange(millis)) return Failed(std::string(kRangeReason), true);
    return {millis, {}, true};
}

// "Unix milliseconds, RFC 3339 with offset, or the workspace format "%d/%m/%Y"".
std::string AcceptedForms(const std::optional<std::string>& format) {
    if (!format) return "Unix milliseconds or RFC 3339 with offset";
    return "Unix milliseconds, RFC 3339 with offset, or the workspace format " + QuoteForMessage(*format);
}

// A number's token for a message, cut like a quoted string but without quotes.
std::string NumberForMessage(const std::string& token) {
    const std::string_view prefix = PrefixCodePoints(token, 64);
    return prefix.size() < token.size() ? std::string(prefix) + "\xE2\x80\xA6" : token;
}

bool IsAllDigits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

Checked<Millis> ParseDateString(std::string_view input, const std::optional<std::string>& format) {
    const std::string_view text = TrimAsciiSpace(input);
    const Attempt iso = TryRfc3339(text);
    if (iso.millis) return *iso.millis;
    std::string reason;
    if (format) {
        const Attempt custom = TryFormat(text, *format);
        if (custom.millis) return *custom.millis;
        if (custom.shape_matched) reason = custom.reason;
    }
    if (reason.empty() && iso.shape_matched) reason = iso.reason;
    if (reason.empty()) {
        reason = IsAllDigits(text) ? "is a string of digits (send Unix milliseconds as a JSON number)"
                                   : "is not in an accepted form";
    }
    return MakeProblem(Code::kInvalidFormat, "not a valid date: " + QuoteForMessage(input) + " " + reason +
                                                 "; expected " + AcceptedForms(format));
}

}  // namespace

long long DaysFromCivil(long long year, unsigned month, unsigned day) {
    const long long y = month <= 2 ? year - 1 : year;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const long long year_of_era = y - era * 400;  // [0, 399]
    const long long m = month;
    const long long day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1;  // [0, 365]
    const long long day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

Checked<Millis> ParseRfc3339(std::string_view text) {
    const Attempt attempt = TryRfc3339(text);
    if (attempt.millis) return *attempt.millis;
    return MakeProblem(Code::kInvalidFormat,
                       "not a valid RFC 3339 timestamp: " + QuoteForMessage(text) + " " + attempt.reason);
}

Checked<Millis> ParseWithFormat(std::string_view text, std::string_view format) {
    if (!IsValidDateFormat(format)) {
        return MakeProblem(Code::kInvalidFormat, "the date format " + QuoteForMessage(format) +
                                                     " is not usable (it needs %Y, %m and %d, and may use %H, "
                                                     "%M, %S and %%)");
    }
    const Attempt attempt = TryFormat(text, format);
    if (attempt.millis) return *attempt.millis;
    return MakeProblem(Code::kInvalidFormat, "not a valid date: " + QuoteForMessage(text) + " " + attempt.reason);
}

bool IsValidDateFormat(std::string_view format) {
    constexpr std::string_view kConversions = "YmdHMS";
    std::array<int, kConversions.size()> seen{};
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%') continue;
        if (++i == format.size()) return false;
        if (format[i] == '%') continue;
        const std::size_t which = kConversions.find(format[i]);
        if (which == std::string_view::npos || seen[which]++ != 0) return false;
    }
    return seen[0] == 1 && seen[1] == 1 && seen[2] == 1;
}

Checked<Millis> ParseDateInput(const Json& value, const std::optional<std::string>& date_format) {
    // A stored format that is not usable cannot match anything; leave it out of parsing and messages.
    const std::optional<std::string> format =
        date_format && IsValidDateFormat(*date_format) ? date_format : std::nullopt;
    if (value.IsString()) return ParseDateString(value.text(), format);
    if (value.IsIntegerToken()) {
        if (value.FitsInt64() && InRange(value.AsInt64())) return value.AsInt64();
        return MakeProblem(Code::kInvalidFormat,
                           "not a valid date: " + NumberForMessage(value.text()) + " " + std::string(kRangeReason));
    }
    const std::string got =
        value.IsNumber() ? "the non-integer number " + NumberForMessage(value.text()) : std::string(value.TypeName());
    return MakeProblem(Code::kInvalidType, "expected a date (" + AcceptedForms(format) + "), got " + got);
}

std::string FormatTimestamp(Millis millis) {
    Millis days = millis / kMillisPerDay;
    Millis rest = millis % kMillisPerDay;
    if (rest < 0) {
        rest += kMillisPerDay;
        --days;
    }
    // Howard Hinnant's civil_from_days.
    const long long z = days + 719468;
    const long long era = (z >= 0 ? z : z - 146096) / 146097;
    const long long day_of_era = z - era * 146097;
    const long long year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const long long day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const long long mp = (5 * day_of_year + 2) / 153;
    const auto day = static_cast<unsigned>(day_of_year - (153 * mp + 2) / 5 + 1);
    const auto month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
    const long long year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);

    const auto hour = static_cast<unsigned>(rest / kMillisPerHour);
    const auto minute = static_cast<unsigned>(rest / kMillisPerMinute % 60);
    const auto second = static_cast<unsigned>(rest / kMillisPerSecond % 60);
    const auto millisecond = static_cast<unsigned>(rest % kMillisPerSecond);

    std::string out = YearText(year);
    out += '-' + TwoDigits(month) + '-' + TwoDigits(day) + 'T' + TwoDigits(hour) + ':' + TwoDigits(minute) + ':' +
           TwoDigits(second) + '.';
    out += static_cast<char>('0' + millisecond / 100);
    out += TwoDigits(millisecond % 100);
    out += 'Z';
    return out;
}

}  // namespace contactd::engine
