// Value checkers on realistic inputs, each beside its reference: libphonenumber's own parse + validate +
// format (the floor for NormalizePhoneNumber) and a plain byte scan (the floor for CheckText). Every
// iteration checks its answer against the expected value, so a fast wrong result fails the run.

#include <benchmark/benchmark.h>
#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <optional>
#include <string>

#include "engine/email_address.hpp"
#include "engine/phone_number.hpp"
#include "engine/text_rules.hpp"

namespace {

using contactd::engine::Checked;

struct Case {
    const char* input;
    const char* expected;
};

// Numbers as CRM users send them: formatted, from several numbering plans.
constexpr std::array kPhonesWithPlus = {
    Case{"+1 (650) 253-0000", "+16502530000"},  Case{"+44 20 7031 3000", "+442070313000"},
    Case{"+49 151 23456789", "+4915123456789"}, Case{"+33 1 42 68 53 00", "+33142685300"},
    Case{"+91 98765 43210", "+919876543210"},   Case{"+55 11 2395 8400", "+551123958400"},
    Case{"+39 06 6988 4343", "+390669884343"},  Case{"+81 3-6384-9000", "+81363849000"},
};

// The same kind of numbers written nationally, read in the workspace default country (US).
constexpr std::array kPhonesNational = {
    Case{"(650) 253-0000", "+16502530000"},
    Case{"212-555-0198", "+12125550198"},
    Case{"415.555.0132", "+14155550132"},
    Case{"1 (646) 555-0177", "+16465550177"},
};

constexpr std::array kEmails = {
    Case{"John.Doe@Example.COM", "john.doe@example.com"},
    Case{"maria.garcia+crm@empresa.es", "maria.garcia+crm@empresa.es"},
    Case{"li.wei@mail.example.cn", "li.wei@mail.example.cn"},
    Case{"o'brien_sales@sub.company.co.uk", "o'brien_sales@sub.company.co.uk"},
};

template <std::size_t N>
void RunNormalizePhone(benchmark::State& state, const std::array<Case, N>& cases,
                       const std::optional<std::string>& default_country) {
    std::size_t i = 0;
    for (auto _ : state) {
        const Case& c = cases[i++ % N];
        Checked<std::string> result = contactd::engine::NormalizePhoneNumber(c.input, default_country);
        if (!result.ok() || result.value() != c.expected) {
            state.SkipWithError("NormalizePhoneNumber gave a wrong answer");
            break;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
}

// Numbers met again (formatted, so only the cleaned text is remembered): the memo of canonical numbers
// answers them without libphonenumber.
void BM_NormalizePhoneNumber_WithPlus_SeenBefore(benchmark::State& state) {
    RunNormalizePhone(state, kPhonesWithPlus, std::nullopt);
}
BENCHMARK(BM_NormalizePhoneNumber_WithPlus_SeenBefore)->Threads(1)->Threads(2);

// Every number new, `+1<area code><exchange><line>` from a counter: the memo misses and libphonenumber does
// the work. `valid_share` is the least share of answers that must be the number itself (the rest refused),
// so a wrong answer or a wrong sample fails the benchmark.
void RunFirstSeenNanp(benchmark::State& state, int area_code, double valid_share) {
    static std::atomic<std::uint64_t> counter{0};
    std::uint64_t n = counter.fetch_add(std::uint64_t{1} << 32);
    char number[16];
    std::int64_t valid = 0;
    for (auto _ : state) {
        ++n;
        std::snprintf(number, sizeof number, "+1%03d%03llu%04llu", area_code,
                      static_cast<unsigned long long>(200 + (n / 10000) % 700),
                      static_cast<unsigned long long>(n % 10000));
        Checked<std::string> result = contactd::engine::NormalizePhoneNumber(number, std::nullopt);
        if (result.ok() && result.value() != number) {
            state.SkipWithError("NormalizePhoneNumber gave a wrong answer");
            break;
        }
        valid += result.ok() ? 1 : 0;
        benchmark::DoNotOptimize(result);
    }
    if (valid < static_cast<std::int64_t>(valid_share * static_cast<double>(state.iterations()))) {
        state.SkipWithError("fewer numbers were valid than the sample should hold");
    }
    state.SetItemsProcessed(state.iterations());
}

// US numbers (Mountain View). Two threads show whether libphonenumber (its shared regex cache) scales.
void BM_NormalizePhoneNumber_WithPlus_FirstSeen(benchmark::State& state) { RunFirstSeenNanp(state, 650, 1.0); }
BENCHMARK(BM_NormalizePhoneNumber_WithPlus_FirstSeen)->Threads(1)->Threads(2);

// Canadian numbers (Toronto): found after the United States is ruled out.
void BM_NormalizePhoneNumber_WithPlus_FirstSeenCanada(benchmark::State& state) { RunFirstSeenNanp(state, 416, 0.9); }
BENCHMARK(BM_NormalizePhoneNumber_WithPlus_FirstSeenCanada);

// Numbers no NANP region has (area code 211 is a service code): refused, and never memoised.
void BM_NormalizePhoneNumber_WithPlus_NotANumber(benchmark::State& state) { RunFirstSeenNanp(state, 211, 0.0); }
BENCHMARK(BM_NormalizePhoneNumber_WithPlus_NotANumber);

void BM_NormalizePhoneNumber_NationalWithDefaultCountry(benchmark::State& state) {
    RunNormalizePhone(state, kPhonesNational, std::string("US"));
}
BENCHMARK(BM_NormalizePhoneNumber_NationalWithDefaultCountry);

// Reference: libphonenumber alone (parse, validate, format) on the same inputs.
void BM_Reference_LibphonenumberParseValidateFormat(benchmark::State& state) {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    std::size_t i = 0;
    for (auto _ : state) {
        const Case& c = kPhonesWithPlus[i++ % kPhonesWithPlus.size()];
        PhoneNumber number;
        std::string e164;
        if (util.Parse(c.input, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR || !util.IsValidNumber(number)) {
            state.SkipWithError("libphonenumber refused a valid number");
            break;
        }
        util.Format(number, PhoneNumberUtil::E164, &e164);
        if (e164 != c.expected) {
            state.SkipWithError("libphonenumber gave a wrong answer");
            break;
        }
        benchmark::DoNotOptimize(e164);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Reference_LibphonenumberParseValidateFormat);

void BM_NormalizeEmailAddress(benchmark::State& state) {
    std::size_t i = 0;
    for (auto _ : state) {
        const Case& c = kEmails[i++ % kEmails.size()];
        Checked<std::string> result = contactd::engine::NormalizeEmailAddress(c.input);
        if (!result.ok() || result.value() != c.expected) {
            state.SkipWithError("NormalizeEmailAddress gave a wrong answer");
            break;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NormalizeEmailAddress);

// Typical single-line values: names, a company, a title with non-ASCII letters and an emoji.
constexpr std::array kTexts = {
    "María José", "Fernández-Ortega", "Acme Logistics GmbH & Co. KG", "Head of Customer Success 🚀",
    "Zoë",        "山田 太郎",        "Dr. Jean-Baptiste Poquelin",   "Springfield, Illinois, United States",
};

constexpr std::array<std::size_t, kTexts.size()> kTextLengths = {10, 16, 28, 26, 3, 5, 26, 36};

void BM_CheckText_SingleLine(benchmark::State& state) {
    std::size_t i = 0;
    std::size_t bytes = 0;
    for (auto _ : state) {
        const std::size_t k = i++ % kTexts.size();
        const std::string_view text = kTexts[k];
        Checked<std::size_t> result = contactd::engine::CheckText(text, contactd::engine::TextKind::kSingleLine, 255);
        if (!result.ok() || result.value() != kTextLengths[k]) {
            state.SkipWithError("CheckText gave a wrong answer");
            break;
        }
        bytes += text.size();
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_CheckText_SingleLine);

// A 10,000-character custom text field (the cap), mostly ASCII with line breaks and some accents.
void BM_CheckText_MultiLine10k(benchmark::State& state) {
    std::string text;
    while (contactd::engine::CountCodePoints(text) < 9990)
        text += "Called about renewal; prefers e-mail. Café meeting moved.\n";
    const std::size_t expected = contactd::engine::CountCodePoints(text);
    for (auto _ : state) {
        Checked<std::size_t> result = contactd::engine::CheckText(text, contactd::engine::TextKind::kMultiLine, 10240);
        if (!result.ok() || result.value() != expected) {
            state.SkipWithError("CheckText gave a wrong answer");
            break;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_CheckText_MultiLine10k);

// Reference: the least any check must do, one pass counting non-continuation bytes.
void BM_Reference_CountLeadBytes10k(benchmark::State& state) {
    std::string text;
    while (contactd::engine::CountCodePoints(text) < 9990) {
        text += "Called about renewal; prefers e-mail. Café meeting moved.\n";
    }
    const std::size_t expected = contactd::engine::CountCodePoints(text);
    for (auto _ : state) {
        std::size_t count = 0;
        for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
        if (count != expected) {
            state.SkipWithError("byte scan gave a wrong answer");
            break;
        }
        benchmark::DoNotOptimize(count);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_Reference_CountLeadBytes10k);

}  // namespace
