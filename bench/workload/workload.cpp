#include "bench/workload/workload.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <set>
#include <string_view>

#include "engine/json_writer.hpp"

namespace contactd::bench {

namespace {

//! SplitMix64: tiny, fast, and the same sequence on every platform (unlike std::*_distribution).
class Random {
  public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t Next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint64_t Below(std::uint64_t n) { return Next() % n; }
    bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
    template <class T, std::size_t N>
    const T& Pick(const std::array<T, N>& values) {
        return values[Below(N)];
    }

  private:
    std::uint64_t state_;
};

constexpr std::array<std::string_view, 30> kAreaCodes = {
    "212", "213", "312", "415", "617", "646", "650", "702", "713", "718", "773", "786", "818", "917", "206",
    "303", "305", "404", "480", "503", "512", "602", "619", "704", "714", "808", "832", "858", "909", "949"};
constexpr std::array<std::string_view, 24> kFirstNames = {
    "Ann",   "Bruno", "Carla", "Dmitri", "Eve",     "Fatima", "Giulia", "Hiro",  "Ines", "Jon",    "Kwame", "Lena",
    "Mateo", "Nadia", "Oscar", "Priya",  "Quentin", "Rosa",   "Sven",   "Tomás", "Uma",  "Viktor", "Wen",   "Zoë"};
constexpr std::array<std::string_view, 20> kLastNames = {
    "Smith",  "Ng",       "García",   "Ivanov", "Rossi",     "Kim",     "Silva", "Müller", "Dubois", "Khan",
    "Okafor", "Nakamura", "Kowalski", "Haddad", "Johansson", "O'Brien", "Costa", "Novak",  "Chen",   "Patel"};
constexpr std::array<std::string_view, 10> kDomains = {"example.com", "mail.example.org", "acme.io",   "globex.net",
                                                       "initech.com", "umbrella.co",      "hooli.xyz", "stark.dev",
                                                       "wayne.biz",   "wonka.eu"};
constexpr std::array<std::string_view, 12> kTags = {"lead",    "customer",   "vip",     "newsletter",
                                                    "b2b",     "b2c",        "trial",   "churn-risk",
                                                    "partner", "event-2026", "webinar", "referral"};
constexpr std::array<std::string_view, 8> kTitles = {
    "CEO", "CTO", "Head of Sales", "Buyer", "Engineer", "Office Manager", "Founder", "Procurement Lead"};
constexpr std::array<std::string_view, 5> kStatuses = {"New", "Contacted", "Qualified", "Won", "Lost"};
constexpr std::array<std::string_view, 7> kSources = {"manual", "csv", "api", "call", "whatsapp", "email", "crm"};
constexpr std::array<std::string_view, 6> kNotes = {
    "Met at the trade fair; follow up in spring.", "Asked for a quote on the annual plan.",
    "Prefers e-mail; never call before 10am.",     "Referred by an existing customer.",
    "Evaluating three vendors; decision in Q3.",   "Signed the NDA, waiting for legal."};

// Contacts are numbered across the whole workload; number → phone is a bijection onto valid US numbers:
// 30 area codes × 792 exchanges (200-999 without the N11 service codes) × 10,000 lines. (Moving N11 onto N12
// instead, as version 1 did, gave 1% of the contacts another contact's phone.)
std::string UsNumber(std::uint64_t n) {
    constexpr std::uint64_t kExchangesPerHundred = 99;  // N00-N99 without N11
    constexpr std::uint64_t kExchanges = 8 * kExchangesPerHundred;
    const std::string_view area = kAreaCodes[n % kAreaCodes.size()];
    const std::uint64_t rest = n / kAreaCodes.size();
    const std::uint64_t exchange_index = rest % kExchanges;
    const std::uint64_t offset = exchange_index % kExchangesPerHundred;
    const std::uint64_t exchange = 200 + exchange_index / kExchangesPerHundred * 100 + offset + (offset >= 11 ? 1 : 0);
    const std::uint64_t line = (rest / kExchanges) % 10000;
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%03llu%04llu", static_cast<unsigned long long>(exchange),
                  static_cast<unsigned long long>(line));
    return "+1" + std::string(area) + buffer;
}

std::string Ascii(std::string_view name) {
    std::string out;
    for (const char c : name) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) out.push_back(static_cast<char>(c | 0x20));
    }
    return out;
}

std::string EmailFor(std::uint64_t contact, int which, std::string_view first, std::string_view last) {
    // Appended piece by piece: GCC 12 at -O3 misreads `"+" + std::to_string(which)` as an overlapping copy
    // (a false -Wrestrict, an error under -Werror).
    std::string email = Ascii(first);
    email.append(".").append(Ascii(last)).append(".").append(std::to_string(contact));
    if (which) email.append("+").append(std::to_string(which));
    email.append("@").append(kDomains[(contact + static_cast<std::uint64_t>(which)) % kDomains.size()]);
    return email;
}

//! A contact as created by the preload or a create item.
struct Person {
    std::uint64_t number = 0;
    std::string first, last;
    int emails = 1;
    int phones = 1;
    std::vector<std::string> tags;
    std::string title;
};

Person NewPerson(Random& random, std::uint64_t number) {
    Person person;
    person.number = number;
    person.first = std::string(random.Pick(kFirstNames));
    person.last = std::string(random.Pick(kLastNames));
    person.emails = 1 + static_cast<int>(random.Below(3));
    person.phones = 1 + static_cast<int>(random.Below(3));
    const int tags = static_cast<int>(random.Below(4));
    for (int i = 0; i < tags; ++i) {
        const std::string tag(random.Pick(kTags));
        if (std::find(person.tags.begin(), person.tags.end(), tag) == person.tags.end()) person.tags.push_back(tag);
    }
    person.title = std::string(random.Pick(kTitles));
    return person;
}

void WriteCustomFields(engine::JsonWriter& writer, Random& random, bool invalid_number, std::string_view padding) {
    writer.Key("custom_fields").BeginObject();
    writer.Key("profile_field_1").String(random.Pick(kNotes));
    if (!padding.empty()) writer.Key("profile_field_4").String(padding);
    writer.Key("profile_field_2").String(random.Chance(0.5) ? "enterprise" : "smb");
    writer.Key("profile_field_3").String("segment-" + std::to_string(random.Below(40)));
    writer.Key("profile_field_16");
    if (invalid_number) {
        writer.String(std::to_string(random.Below(100000)));  // a number sent as a string: dropped
    } else {
        writer.Int(static_cast<std::int64_t>(random.Below(100000)));
    }
    writer.Key("profile_field_17").Double(static_cast<double>(random.Below(10000)) / 100.0);
    writer.Key("profile_field_26").Int(1767225600000 + static_cast<std::int64_t>(random.Below(31536000)) * 1000);
    writer.EndObject();
}

// A full contact: a preload line or a create item. `stolen_email` makes it claim another contact's e-mail;
// `padding`, when given, is a long custom text field (profile_field_4) that makes the line larger.
std::string CreateLine(Random& random, const Person& person, const std::string& ref, bool invalid,
                       const std::string* stolen_email, std::string_view padding = {}) {
    std::string out;
    engine::JsonWriter writer(out);
    writer.BeginObject();
    writer.Key("phones").BeginArray();
    for (int i = 0; i < person.phones; ++i) writer.String(PhoneFor(person.number, i));
    writer.EndArray();
    writer.Key("first_name").String(person.first);
    writer.Key("last_name").String(person.last);
    writer.Key("company_name")
        .String(std::string(random.Pick(kLastNames)) + " " + (random.Chance(0.5) ? "GmbH" : "Inc."));
    writer.Key("title").String(person.title);
    writer.Key("emails").BeginArray();
    if (stolen_email) writer.String(*stolen_email);
    for (int i = 0; i < person.emails; ++i) writer.String(EmailFor(person.number, i, person.first, person.last));
    writer.EndArray();
    writer.Key("tags").BeginArray();
    for (const std::string& tag : person.tags) writer.String(tag);
    writer.EndArray();
    writer.Key("status").String(random.Pick(kStatuses));
    writer.Key("priority").Int(1 + static_cast<std::int64_t>(random.Below(5)));
    writer.Key("source").String(random.Pick(kSources));
    writer.Key("country_code").String("US");
    writer.Key("language").String("en");
    writer.Key("email_marketing_opt_in").Bool(random.Chance(0.6));
    WriteCustomFields(writer, random, invalid, padding);
    if (!ref.empty()) writer.Key("ref").String(ref);
    writer.EndObject();
    return out;
}

std::string UpdateLine(Random& random, const Person& person, const std::string& title, const std::string& tag,
                       const std::string& ref, bool invalid) {
    std::string out;
    engine::JsonWriter writer(out);
    writer.BeginObject();
    writer.Key("phone").String(PhoneFor(person.number, 0));
    writer.Key("title").String(title);
    writer.Key("tags").BeginObject().Key("add").BeginArray().String(tag).EndArray().EndObject();
    writer.Key("status").String(random.Pick(kStatuses));
    writer.Key("priority").Int(invalid ? 9 : 1 + static_cast<std::int64_t>(random.Below(5)));
    writer.Key("custom_fields").BeginObject();
    writer.Key("profile_field_1").String(random.Pick(kNotes));
    writer.Key("profile_field_16").Int(static_cast<std::int64_t>(random.Below(100000)));
    writer.EndObject();
    writer.Key("ref").String(ref);
    writer.EndObject();
    return out;
}

// Half of the items go to workspace 0; the rest are shared evenly by the others.
std::uint64_t ShareOf(const WorkloadConfig& config, int workspace) {
    if (config.workspaces == 1) return config.items;
    if (workspace == 0) return config.items / 2;
    const std::uint64_t rest = config.items - config.items / 2;
    const auto others = static_cast<std::uint64_t>(config.workspaces - 1);
    return rest / others + (static_cast<std::uint64_t>(workspace) <= rest % others ? 1 : 0);
}

}  // namespace

std::string WorkspaceId(int index) { return "bench-" + std::to_string(index); }

std::string PhoneFor(std::uint64_t contact_number, int which) {
    return UsNumber(contact_number * 3 + static_cast<std::uint64_t>(which));
}

std::vector<WorkspaceWorkload> GenerateWorkload(const WorkloadConfig& config) {
    std::vector<WorkspaceWorkload> workloads;
    std::uint64_t next_contact = 1;
    for (int w = 0; w < config.workspaces; ++w) {
        Random random(config.seed * 1000003ULL + static_cast<std::uint64_t>(w));
        const std::uint64_t share = ShareOf(config, w);
        WorkspaceWorkload workload;
        workload.workspace_id = WorkspaceId(w);
        // As many existing contacts as update items, so updates pick with repeats (some twice or more).
        const std::uint64_t existing_count = std::max<std::uint64_t>(1, share * 7 / 10);
        std::vector<Person> existing;
        existing.reserve(existing_count);
        for (std::uint64_t i = 0; i < existing_count; ++i) {
            existing.push_back(NewPerson(random, next_contact++));
            workload.preload.push_back(CreateLine(random, existing.back(), "", false, nullptr));
        }
        std::vector<std::set<std::string>> tags(existing.size());
        for (std::size_t i = 0; i < existing.size(); ++i)
            tags[i].insert(existing[i].tags.begin(), existing[i].tags.end());
        std::vector<std::string> titles;
        for (const Person& person : existing) titles.push_back(person.title);
        std::int64_t created = 0;
        for (std::uint64_t i = 0; i < share; ++i) {
            const std::string ref = workload.workspace_id + "-" + std::to_string(i);
            const bool invalid = random.Chance(0.05);
            if (random.Chance(0.30)) {
                const Person person = NewPerson(random, next_contact++);
                if (random.Chance(1.0 / 30)) {  // ~1% of all items: an e-mail another contact holds
                    const Person& holder = existing[random.Below(existing.size())];
                    const std::string stolen = EmailFor(holder.number, 0, holder.first, holder.last);
                    workload.items.push_back(CreateLine(random, person, ref, invalid, &stolen));
                    ++workload.expected_duplicates;
                } else {
                    workload.items.push_back(CreateLine(random, person, ref, invalid, nullptr));
                    ++created;
                }
            } else {
                const std::size_t target = random.Below(existing.size());
                const std::string title = std::string(random.Pick(kTitles)) + " " + std::to_string(i % 97);
                const std::string tag = std::string(random.Pick(kTags));
                workload.items.push_back(UpdateLine(random, existing[target], title, tag, ref, invalid));
                titles[target] = title;
                tags[target].insert(tag);
            }
        }
        workload.expected_contacts = static_cast<std::int64_t>(existing.size()) + created;
        for (int s = 0; s < 50 && !existing.empty(); ++s) {
            const std::size_t pick = random.Below(existing.size());
            workload.samples.push_back({PhoneFor(existing[pick].number, 0), titles[pick],
                                        std::vector<std::string>(tags[pick].begin(), tags[pick].end())});
        }
        workloads.push_back(std::move(workload));
    }
    return workloads;
}

std::uint64_t GenerateLargeBatch(const LargeBatchConfig& config, const std::function<void(const std::string&)>& emit) {
    // Plain ASCII words, so that bytes and characters agree and nothing needs escaping.
    static constexpr std::string_view kFiller =
        "Account notes: renewal discussed, pricing sheet sent, follow-up call booked with procurement. ";
    Random random(config.seed * 1000003ULL + 7777);
    const std::uint64_t line_bytes = config.max_bytes / std::max<std::uint64_t>(1, config.max_items);
    constexpr std::size_t kPaddingOverhead = std::string_view(R"(,"profile_field_4":"")").size();
    std::uint64_t written = 0;
    for (std::uint64_t i = 0; i < config.max_items; ++i) {
        const Person person = NewPerson(random, kLargeBatchFirstContact + i);
        const std::string ref = "large-" + std::to_string(i);
        Random trial = random;  // the unpadded line draws exactly what the padded one will
        const std::size_t base = CreateLine(trial, person, ref, false, nullptr).size() + 1;
        std::string padding;
        if (base + kPaddingOverhead + 1 <= line_bytes) {
            const std::size_t length = line_bytes - base - kPaddingOverhead;
            while (padding.size() < length) padding.append(kFiller);
            padding.resize(length);
            if (padding.back() == ' ') padding.back() = '.';
        }
        const std::string line = CreateLine(random, person, ref, false, nullptr, padding);
        if (written + line.size() + 1 > config.max_bytes) break;
        emit(line);
        written += line.size() + 1;
    }
    return written;
}

std::vector<std::string> GenerateSmallBatch(std::uint64_t seed, int items) {
    Random random(seed * 1000003ULL + 4242);
    std::vector<std::string> lines;
    for (int i = 0; i < items; ++i) {
        const Person person = NewPerson(random, kSmallBatchFirstContact + static_cast<std::uint64_t>(i));
        lines.push_back(CreateLine(random, person, "small-" + std::to_string(i), false, nullptr));
    }
    return lines;
}

}  // namespace contactd::bench
