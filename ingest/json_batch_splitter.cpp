#include "ingest/json_batch_splitter.hpp"

#include <algorithm>
#include <array>
#include <bit>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "engine/text_rules.hpp"

namespace contactd::ingest {

//! What the grammar expects at the next byte.
enum class JsonBatchSplitter::State : std::uint8_t {
    kStart,        // white space, then the top-level '{'
    kObjectFirst,  // after '{': a member name or '}'
    kObjectNext,   // after ',' in an object: a member name
    kColon,        // after a member name
    kArrayFirst,   // after '[': a value or ']'
    kValue,        // after ':' or ',' in an array
    kAfterValue,   // ',' or the closing bracket
    kString,
    kEscape,   // after '\' in a string
    kUnicode,  // inside \uXXXX
    kLiteral,  // inside true, false or null
    kNumberMinus,
    kNumberZero,  // a leading 0: no more digits may follow
    kNumberInteger,
    kNumberDot,
    kNumberFraction,
    kNumberExponent,
    kNumberExponentSign,
    kNumberExponentDigits,
    kDone,    // after the top-level object: only white space
    kHalted,  // failed or stopped
};

//! What the bytes being collected will become.
enum class JsonBatchSplitter::Capture : std::uint8_t { kNone, kItem, kMember, kName };

namespace {

// Bytes that end the fast scan through a string: the closing quote, an escape, a raw control character.
constexpr std::array<bool, 256> kStringStop = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = true;
    table['"'] = true;
    table['\\'] = true;
    return table;
}();

// The first byte in [p, end) that ends the fast scan through a string, or end. Sixteen bytes at a time where
// SSE2 is available (every x86-64), since most of a batch's bytes are string contents.
const char* FindStringStop(const char* p, const char* const end) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i max_control = _mm_set1_epi8(0x1F);
    while (end - p >= 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, max_control), bytes);  // unsigned byte <= 0x1F
        const __m128i stop =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)), control);
        const auto mask = static_cast<unsigned>(_mm_movemask_epi8(stop));
        if (mask != 0) return p + std::countr_zero(mask);
        p += 16;
    }
#endif
    while (p < end && !kStringStop[static_cast<unsigned char>(*p)]) ++p;
    return p;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Four hex digits at text[at..at+4) (already checked by the grammar).
std::uint32_t Hex4(std::string_view text, std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t i = at; i < at + 4 && i < text.size(); ++i) {
        value = value * 16 + static_cast<std::uint32_t>(HexValue(text[i]));
    }
    return value;
}

// The value of a JSON string's contents (between the quotes), whose escapes the grammar has checked.
std::string Unescape(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\\' || i + 1 >= raw.size()) {
            out.push_back(raw[i]);
            continue;
        }
        const char escaped = raw[++i];
        switch (escaped) {
            case 'b':
                out.push_back('\b');
                break;
            case 'f':
                out.push_back('\f');
                break;
            case 'n':
                out.push_back('\n');
                break;
            case 'r':
                out.push_back('\r');
                break;
            case 't':
                out.push_back('\t');
                break;
            case 'u': {
                std::uint32_t code_point = Hex4(raw, i + 1);
                i += 4;
                const bool high = code_point >= 0xD800 && code_point <= 0xDBFF;
                if (high && i + 6 < raw.size() && raw.substr(i + 1, 2) == "\\u") {
                    const std::uint32_t low = Hex4(raw, i + 3);
                    if (low >= 0xDC00 && low <= 0xDFFF) {
                        code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
                        i += 6;
                    }
                }
                engine::AppendUtf8(out, code_point);
                break;
            }
            default:
                out.push_back(escaped);
                break;  // '"', '\\', '/'
        }
    }
    return out;
}

}  // namespace

std::string_view JsonBatchErrorKindName(JsonBatchErrorKind kind) {
    switch (kind) {
        case JsonBatchErrorKind::kSyntax:
            return "SYNTAX";
        case JsonBatchErrorKind::kEmpty:
            return "EMPTY";
        case JsonBatchErrorKind::kNotAnObject:
            return "NOT_AN_OBJECT";
        case JsonBatchErrorKind::kItemsNotAnArray:
            return "ITEMS_NOT_AN_ARRAY";
        case JsonBatchErrorKind::kMissingItems:
            return "MISSING_ITEMS";
        case JsonBatchErrorKind::kDuplicateMember:
            return "DUPLICATE_MEMBER";
        case JsonBatchErrorKind::kTooDeep:
            return "TOO_DEEP";
        case JsonBatchErrorKind::kTooManyMembers:
            return "TOO_MANY_MEMBERS";
    }
    return "SYNTAX";
}

JsonBatchSplitter::JsonBatchSplitter(JsonBatchSplitterOptions options)
    : options_(options), state_(State::kStart), capture_kind_(Capture::kNone) {}

JsonBatchSplitter::~JsonBatchSplitter() = default;

std::optional<JsonBatchError> JsonBatchSplitter::Feed(std::string_view bytes, const BatchItemSink& sink) {
    if (error_) return error_;
    if (stopped_ || bytes.empty()) return std::nullopt;
    sink_ = &sink;
    piece_ = bytes.data();
    piece_offset_ = bytes_fed_;
    Scan(bytes.data(), bytes.size());
    bytes_fed_ += bytes.size();
    if (state_ != State::kHalted) KeepCaptureTail(bytes.data(), bytes.size());
    sink_ = nullptr;
    piece_ = nullptr;
    return error_;
}

std::optional<JsonBatchError> JsonBatchSplitter::Finish() {
    if (error_) return error_;
    if (stopped_) return std::nullopt;
    if (state_ == State::kStart) {
        Fail(JsonBatchErrorKind::kEmpty, bytes_fed_, "the body is empty");
    } else if (state_ != State::kDone) {
        Fail(JsonBatchErrorKind::kSyntax, bytes_fed_, "the body ends before the document does");
    }
    return error_;
}

void JsonBatchSplitter::Scan(const char* const data, const std::size_t size) {
    const char* p = data;
    const char* const end = data + size;
    while (p < end) {
        switch (state_) {
            case State::kString:
            case State::kEscape:
            case State::kUnicode:
                p = ScanString(p, end);
                break;
            case State::kLiteral:
                p = ScanLiteral(p, end);
                break;
            case State::kNumberMinus:
            case State::kNumberZero:
            case State::kNumberInteger:
            case State::kNumberDot:
            case State::kNumberFraction:
            case State::kNumberExponent:
            case State::kNumberExponentSign:
            case State::kNumberExponentDigits:
                p = ScanNumber(p, end);
                break;
            case State::kHalted:
                return;
            default:
                p = ScanStructure(p, end);
                break;
        }
    }
}

std::uint64_t JsonBatchSplitter::OffsetOf(const char* at) const {
    return piece_offset_ + static_cast<std::uint64_t>(at - piece_);
}

const char* JsonBatchSplitter::ScanString(const char* p, const char* end) {
    while (p < end) {
        if (state_ == State::kEscape) {
            switch (*p) {
                case '"':
                case '\\':
                case '/':
                case 'b':
                case 'f':
                case 'n':
                case 'r':
                case 't':
                    state_ = State::kString;
                    break;
                case 'u':
                    state_ = State::kUnicode;
                    hex_digits_left_ = 4;
                    break;
                default:
                    Fail(JsonBatchErrorKind::kSyntax, OffsetOf(p), "invalid escape in a string");
                    return end;
            }
            ++p;
            continue;
        }
        if (state_ == State::kUnicode) {
            if (HexValue(*p) < 0) {
                Fail(JsonBatchErrorKind::kSyntax, OffsetOf(p), "invalid \\u escape: expected four hex digits");
                return end;
            }
            ++p;
            if (--hex_digits_left_ == 0) state_ = State::kString;
            continue;
        }
        p = FindStringStop(p, end);
        if (p == end) return end;
        if (*p == '\\') {
            state_ = State::kEscape;
            ++p;
            continue;
        }
        if (*p != '"') {
            Fail(JsonBatchErrorKind::kSyntax, OffsetOf(p), "a control character in a string must be escaped");
            return end;
        }
        ++p;
        if (!string_is_key_) {
            EndValue(OffsetOf(p));
        } else {
            state_ = State::kColon;
            if (open_brackets_.size() == 1) EndKey(OffsetOf(p));
        }
        return p;
    }
    return p;
}

const char* JsonBatchSplitter::ScanLiteral(const char* p, const char* end) {
    while (p < end) {
        if (*p != *literal_rest_) {
            Fail(JsonBatchErrorKind::kSyntax, OffsetOf(p), "invalid literal: expected true, false or null");
            return end;
        }
        ++p;
        if (*++literal_rest_ == '\0') {
            EndValue(OffsetOf(p));
            return p;
        }
    }
    return p;
}

// RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? — the number ends at the first byte that cannot
// continue it, which the structure then judges.
const char* JsonBatchSplitter::ScanNumber(const char* p, const char* end) {
    const auto fail = [&](std::string_view what) {
        Fail(JsonBatchErrorKind::kSyntax, OffsetOf(p), what);
        return end;
    };
    const auto skip_digits = [&] {
        while (p < end && IsDigit(*p)) ++p;
        return p < end;
    };
    while (p < end) {
        switch (state_) {
            case State::kNumberMinus:
                if (!IsDigit(*p)) return fail("invalid number: expected a digit");
                state_ = *p == '0' ? State::kNumberZero : State::kNumberInteger;
                ++p;
                break;
            case State::kNumberZero:
            case State::kNumberInteger:
            case State::kNumberFraction:
                if (state_ == State::kNumberZero) {
                    if (IsDigit(*p)) return fail("invalid number: leading zero");
                } else if (!skip_digits()) {
                    return p;
                }
                if (*p == '.' && state_ != State::kNumberFraction) {
                    state_ = State::kNumberDot;
                } else if (*p == 'e' || *p == 'E') {
                    state_ = State::kNumberExponent;
                } else {
                    EndValue(OffsetOf(p));
                    return p;
                }
                ++p;
                break;
            case State::kNumberDot:
                if (!IsDigit(*p)) return fail("invalid number: expected a digit after the point");
                state_ = State::kNumberFraction;
                ++p;
                break;
            case State::kNumberExponent:
            case State::kNumberExponentSign:
                if ((*p == '+' || *p == '-') && state_ == State::kNumberExponent) {
                    state_ = State::kNumberExponentSign;
                } else if (IsDigit(*p)) {
                    state_ = State::kNumberExponentDigits;
                } else {
                    return fail("invalid number: expected a digit in the exponent");
                }
                ++p;
                break;
            case State::kNumberExponentDigits:
                if (!skip_digits()) return p;
                EndValue(OffsetOf(p));
                return p;
            default:
                return p;
        }
    }
    return p;
}

const char* JsonBatchSplitter::ScanStructure(const char* p, const char* end) {
    while (p < end && IsSpace(*p)) ++p;
    if (p == end) return p;
    const auto fail = [&](JsonBatchErrorKind kind, std::string_view what) {
        Fail(kind, OffsetOf(p), what);
        return end;
    };
    const char c = *p;
    switch (state_) {
        case State::kValue:
        case State::kArrayFirst:
            if (c == ']' && state_ == State::kArrayFirst) return CloseBracket(p);
            return StartValue(p);

        case State::kAfterValue: {
            const bool in_object = open_brackets_.back() == '{';
            if (c == ',') {
                state_ = in_object ? State::kObjectNext : State::kValue;
                return p + 1;
            }
            if (c == (in_object ? '}' : ']')) return CloseBracket(p);
            return fail(JsonBatchErrorKind::kSyntax, in_object ? "expected ',' or '}'" : "expected ',' or ']'");
        }

        case State::kObjectFirst:
        case State::kObjectNext:
            if (c == '"') {
                state_ = State::kString;
                string_is_key_ = true;
                if (open_brackets_.size() == 1) StartCapture(Capture::kName, OffsetOf(p));
                return p + 1;
            }
            if (c == '}' && state_ == State::kObjectFirst) return CloseBracket(p);
            return fail(JsonBatchErrorKind::kSyntax, state_ == State::kObjectFirst
                                                         ? "expected a member name or '}'"
                                                         : "expected a member name (a string)");

        case State::kColon:
            if (c != ':') return fail(JsonBatchErrorKind::kSyntax, "expected ':' after the member name");
            state_ = State::kValue;
            return p + 1;

        case State::kStart:
            if (c != '{') {
                const bool other_json =
                    c == '[' || c == '"' || c == '-' || IsDigit(c) || c == 't' || c == 'f' || c == 'n';
                return other_json ? fail(JsonBatchErrorKind::kNotAnObject, "the batch must be a JSON object")
                                  : fail(JsonBatchErrorKind::kSyntax, "expected a JSON object");
            }
            state_ = State::kObjectFirst;
            Push('{', OffsetOf(p));
            return p + 1;

        case State::kDone:
            return fail(JsonBatchErrorKind::kSyntax, "unexpected content after the document");

        default:
            return end;  // not a structural state: cannot happen
    }
}

const char* JsonBatchSplitter::StartValue(const char* p) {
    const char first = *p;
    const std::uint64_t offset = OffsetOf(p);
    switch (first) {
        case '{':
        case '[':
            state_ = first == '{' ? State::kObjectFirst : State::kArrayFirst;
            BeginValue(first, offset);
            Push(first, offset);
            break;
        case '"':
            state_ = State::kString;
            string_is_key_ = false;
            BeginValue(first, offset);
            break;
        case 't':
        case 'f':
        case 'n':
            state_ = State::kLiteral;
            literal_rest_ = first == 't' ? "rue" : first == 'f' ? "alse" : "ull";
            BeginValue(first, offset);
            break;
        case '-':
            state_ = State::kNumberMinus;
            BeginValue(first, offset);
            break;
        default:
            if (!IsDigit(first)) {
                Fail(JsonBatchErrorKind::kSyntax, offset, "expected a value");
                return p;
            }
            state_ = first == '0' ? State::kNumberZero : State::kNumberInteger;
            BeginValue(first, offset);
            break;
    }
    return p + 1;
}

const char* JsonBatchSplitter::CloseBracket(const char* p) {
    open_brackets_.pop_back();
    EndValue(OffsetOf(p + 1));
    return p + 1;
}

void JsonBatchSplitter::BeginValue(char first, std::uint64_t offset) {
    const std::size_t depth = open_brackets_.size();
    if (depth == 1) {
        if (!member_is_items_) {
            StartCapture(Capture::kMember, offset);
        } else if (first == '[') {
            in_items_ = true;
        } else {
            Fail(JsonBatchErrorKind::kItemsNotAnArray, offset, "\"items\" must be an array");
        }
    } else if (depth == 2 && in_items_) {
        StartCapture(Capture::kItem, offset);
    }
}

void JsonBatchSplitter::EndValue(std::uint64_t end) {
    const std::size_t depth = open_brackets_.size();
    if (depth == 0) {
        state_ = State::kDone;
        if (!saw_items_) Fail(JsonBatchErrorKind::kMissingItems, end - 1, "the batch has no \"items\" member");
        return;
    }
    state_ = State::kAfterValue;
    if (depth == 2 && in_items_) {
        const std::uint64_t offset = capture_offset_;
        bool too_large = false;
        const std::string_view bytes = EndCapture(end, too_large);
        if (!(*sink_)(BatchItem{bytes, offset, end - offset, too_large})) {
            stopped_ = true;
            state_ = State::kHalted;
        }
    } else if (depth == 1) {
        if (member_is_items_) {
            member_is_items_ = false;
            in_items_ = false;
            return;
        }
        const std::uint64_t offset = capture_offset_;
        bool too_large = false;
        const std::string_view value = EndCapture(end, too_large);
        members_.push_back(
            JsonBatchMember{std::move(member_name_), std::string(value), offset, too_large || member_name_too_large_});
        member_name_.clear();
    }
}

void JsonBatchSplitter::EndKey(std::uint64_t end) {
    const std::uint64_t offset = capture_offset_;
    bool too_large = false;
    const std::string_view quoted = EndCapture(end, too_large);
    member_is_items_ = false;
    member_name_too_large_ = too_large;
    member_name_ = too_large ? std::string() : Unescape(quoted.substr(1, quoted.size() - 2));
    if (!too_large && member_name_ == "items") {
        if (saw_items_) return Fail(JsonBatchErrorKind::kDuplicateMember, offset, "\"items\" is given twice");
        saw_items_ = true;
        member_is_items_ = true;
        return;
    }
    if (members_.size() >= options_.max_members) {
        return Fail(JsonBatchErrorKind::kTooManyMembers, offset,
                    "the batch has more than " + std::to_string(options_.max_members) + " options");
    }
    const bool duplicate = !too_large && std::any_of(members_.begin(), members_.end(), [&](const JsonBatchMember& m) {
        return !m.name.empty() && m.name == member_name_;
    });
    if (duplicate) Fail(JsonBatchErrorKind::kDuplicateMember, offset, "\"" + member_name_ + "\" is given twice");
}

void JsonBatchSplitter::Push(char bracket, std::uint64_t offset) {
    if (open_brackets_.size() >= options_.max_depth) {
        return Fail(JsonBatchErrorKind::kTooDeep, offset,
                    "arrays and objects nest deeper than " + std::to_string(options_.max_depth));
    }
    open_brackets_.push_back(bracket);
}

void JsonBatchSplitter::StartCapture(Capture kind, std::uint64_t offset) {
    capture_kind_ = kind;
    capture_offset_ = offset;
    capture_skipped_ = false;
    capture_.clear();
}

std::uint64_t JsonBatchSplitter::CaptureLimit() const {
    return capture_kind_ == Capture::kItem ? options_.max_item_bytes : options_.max_member_bytes;
}

std::string_view JsonBatchSplitter::EndCapture(std::uint64_t end, bool& too_large) {
    const std::uint64_t size = end - capture_offset_;
    const bool skipped = capture_skipped_ || size > CaptureLimit();
    capture_kind_ = Capture::kNone;
    too_large = skipped;
    if (skipped) return {};
    if (capture_offset_ >= piece_offset_) {
        return std::string_view(piece_ + (capture_offset_ - piece_offset_), static_cast<std::size_t>(size));
    }
    capture_.append(piece_, static_cast<std::size_t>(end - piece_offset_));
    return capture_;
}

void JsonBatchSplitter::KeepCaptureTail(const char* data, std::size_t size) {
    if (capture_kind_ == Capture::kNone || capture_skipped_) return;
    const std::uint64_t limit = CaptureLimit();
    const std::uint64_t captured = piece_offset_ + size - capture_offset_;
    if (captured > limit) {
        // Outgrown: only its start and, at its end, its size are needed.
        capture_skipped_ = true;
        capture_.clear();
        return;
    }
    const std::size_t from = static_cast<std::size_t>(std::max(capture_offset_, piece_offset_) - piece_offset_);
    if (captured > capture_.capacity()) {
        // Grow to an exact size (std::string::reserve may double past the limit).
        std::string grown;
        grown.reserve(
            static_cast<std::size_t>(std::min(limit, std::max<std::uint64_t>(captured, 2 * capture_.capacity()))));
        grown.append(capture_);
        capture_.swap(grown);
    }
    capture_.append(data + from, size - from);
}

void JsonBatchSplitter::Fail(JsonBatchErrorKind kind, std::uint64_t offset, std::string_view what) {
    state_ = State::kHalted;
    if (error_) return;
    const bool syntax = kind == JsonBatchErrorKind::kSyntax || kind == JsonBatchErrorKind::kTooDeep;
    std::string message = (syntax ? "invalid JSON at byte " : "invalid batch at byte ") + std::to_string(offset) + ": ";
    message += what;
    error_ = JsonBatchError{kind, offset, std::move(message)};
}

}  // namespace contactd::ingest
