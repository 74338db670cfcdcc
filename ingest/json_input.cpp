#include "ingest/json_input.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <vector>

#include "engine/json_writer.hpp"
#include "engine/text_rules.hpp"

namespace contactd::ingest {

namespace {

namespace od = simdjson::ondemand;
using engine::Json;

// Above this, ParseJsonInput uses a one-off parser so no thread keeps a giant buffer.
constexpr std::size_t kThreadParserMaxBytes = std::size_t{4} << 20;
// Objects up to this many members check each key against the earlier ones; bigger ones sort once at the end.
constexpr std::size_t kLinearDuplicateScanLimit = 48;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid (overlong, surrogate, > U+10FFFF).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) return 1;
    const std::size_t left = s.size() - i;
    const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0) == 0x80; };
    if (lead >= 0xC2 && lead <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
        if (lead == 0xE0 && byte(i + 1) < 0xA0) return 0;
        if (lead == 0xED && byte(i + 1) >= 0xA0) return 0;
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
        if (lead == 0xF0 && byte(i + 1) < 0x90) return 0;
        if (lead == 0xF4 && byte(i + 1) >= 0x90) return 0;
        return 4;
    }
    return 0;
}

JsonInputError MakeError(JsonInputErrorKind kind, std::size_t offset, std::string_view what) {
    std::string message = "invalid JSON at byte " + std::to_string(offset) + ": ";
    message += what;
    return JsonInputError{kind, offset, std::move(message)};
}

// simdjson's first pass rejects some input before any value is visited, without saying where. This finds
// the place: the first byte that is not UTF-8, a raw control character inside a string, or the opening
// quote of a string that never closes.
JsonInputError LocateFirstPassError(std::string_view bytes, simdjson::error_code code) {
    bool in_string = false;
    std::size_t string_start = 0;
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t length = Utf8SequenceLength(bytes, i);
        if (length == 0) return MakeError(JsonInputErrorKind::kInvalidUtf8, i, "the bytes are not valid UTF-8");
        const char c = bytes[i];
        if (in_string) {
            if (c == '\\') {
                i += (i + 1 < bytes.size() && static_cast<unsigned char>(bytes[i + 1]) < 0x80) ? 2 : 1;
                continue;
            }
            if (c == '"') in_string = false;
            if (static_cast<unsigned char>(c) < 0x20) {
                return MakeError(JsonInputErrorKind::kSyntax, i, "a control character must be escaped inside a string");
            }
        } else if (c == '"') {
            in_string = true;
            string_start = i;
        }
        i += length;
    }
    if (in_string) return MakeError(JsonInputErrorKind::kSyntax, string_start, "the string never ends");
    if (code == simdjson::CAPACITY) return MakeError(JsonInputErrorKind::kTooLarge, 0, "the document is too large");
    return MakeError(JsonInputErrorKind::kSyntax, 0, simdjson::error_message(code));
}

// RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsValidNumberToken(std::string_view token) {
    std::size_t i = 0;
    const auto digits = [&] {
        const std::size_t start = i;
        while (i < token.size() && token[i] >= '0' && token[i] <= '9') ++i;
        return i - start;
    };
    if (i < token.size() && token[i] == '-') ++i;
    if (i < token.size() && token[i] == '0') {
        ++i;
    } else if (digits() == 0) {
        return false;
    }
    if (i < token.size() && token[i] == '.') {
        ++i;
        if (digits() == 0) return false;
    }
    if (i < token.size() && (token[i] == 'e' || token[i] == 'E')) {
        ++i;
        if (i < token.size() && (token[i] == '+' || token[i] == '-')) ++i;
        if (digits() == 0) return false;
    }
    return i == token.size();
}

// The token up to the first white space or structural character (simdjson's tokens run to the next one).
std::string_view TrimToken(std::string_view raw) {
    std::size_t end = 0;
    while (end < raw.size() && !IsJsonSpace(raw[end]) && raw[end] != ',' && raw[end] != ']' && raw[end] != '}' &&
           raw[end] != ':') {
        ++end;
    }
    return raw.substr(0, end);
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Four hex digits at text[i..i+4), or -1.
int Hex4(std::string_view text, std::size_t i) {
    if (i + 4 > text.size()) return -1;
    int value = 0;
    for (std::size_t k = i; k < i + 4; ++k) {
        const int digit = HexDigit(text[k]);
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

// Unescapes a string whose text starts at text[0] (just after the opening quote), for the strings simdjson
// refuses: those with a lone surrogate escape. Returns the index of a bad escape, or npos on success.
std::size_t UnescapeLenient(std::string_view text, std::string& out) {
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"') return std::string_view::npos;
        if (c != '\\') {
            out.push_back(c);
            ++i;
            continue;
        }
        if (i + 1 >= text.size()) return i;
        const char escape = text[i + 1];
        switch (escape) {
            case '"':
                out.push_back('"');
                break;
            case '\\':
                out.push_back('\\');
                break;
            case '/':
                out.push_back('/');
                break;
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
                const int unit = Hex4(text, i + 2);
                if (unit < 0) return i;
                auto cp = static_cast<std::uint32_t>(unit);
                i += 6;
                if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < text.size() && text[i] == '\\' && text[i + 1] == 'u') {
                    const int low = Hex4(text, i + 2);
                    if (low >= 0xDC00 && low <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<std::uint32_t>(low) - 0xDC00);
                        i += 6;
                    }
                }
                engine::AppendUtf8(out, cp);
                continue;
            }
            default:
                return i;
        }
        i += 2;
    }
    return text.size();  // no closing quote (cannot happen after simdjson's first pass)
}

std::string_view SimdjsonWhat(simdjson::error_code code) {
    switch (code) {
        case simdjson::TAPE_ERROR:
            return "unexpected character: a comma, colon, bracket or value is missing or extra";
        case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
            return "the document ends inside an array or object";
        case simdjson::T_ATOM_ERROR:
        case simdjson::F_ATOM_ERROR:
        case simdjson::N_ATOM_ERROR:
            return "invalid literal (expected true, false or null)";
        case simdjson::NUMBER_ERROR:
            return "invalid number";
        case simdjson::STRING_ERROR:
            return "invalid escape in a string";
        case simdjson::INCORRECT_TYPE:
            return "unexpected token";
        case simdjson::TRAILING_CONTENT:
            return "unexpected content after the JSON value";
        case simdjson::DEPTH_ERROR:
            return "nested too deeply";
        default:
            return simdjson::error_message(code);
    }
}

//! Per-depth buffers a parser keeps between documents (see Converter::ScratchAt). Deques, so that growing
//! them for a deeper level never moves the levels above, which are in use.
struct ConverterScratch {
    std::deque<std::vector<Json>> elements;
    std::deque<std::vector<Json::Member>> members;
    std::deque<std::vector<std::size_t>> key_offsets;
};

//! Walks one On Demand document into an engine::Json tree, stopping at the first error.
class Converter {
  public:
    Converter(std::string_view bytes, const JsonInputOptions& options, od::document& doc, ConverterScratch& scratch)
        : bytes_(bytes), options_(options), doc_(doc), scratch_(scratch) {}

    JsonInputResult Run() {
        Json root;
        if (!ConvertRoot(root)) return std::move(error_);
        return root;
    }

  private:
    std::size_t OffsetOf(const char* p) const {
        if (p < bytes_.data()) return 0;
        const auto offset = static_cast<std::size_t>(p - bytes_.data());
        return offset > bytes_.size() ? bytes_.size() : offset;
    }

    // Where simdjson's iterator stands: the token it choked on, or the end of the input.
    std::size_t CurrentOffset() {
        const char* location = nullptr;
        if (doc_.current_location().get(location) != simdjson::SUCCESS) return bytes_.size();
        return OffsetOf(location);
    }

    bool Fail(JsonInputErrorKind kind, std::size_t offset, std::string_view what) {
        error_ = MakeError(kind, offset, what);
        return false;
    }

    bool FailSimdjson(simdjson::error_code code, std::size_t offset) {
        if (code == simdjson::DEPTH_ERROR) return Fail(JsonInputErrorKind::kTooDeep, offset, SimdjsonWhat(code));
        if (code == simdjson::TRAILING_CONTENT) {
            return Fail(JsonInputErrorKind::kTrailingContent, offset, SimdjsonWhat(code));
        }
        if (code == simdjson::UTF8_ERROR) return Fail(JsonInputErrorKind::kInvalidUtf8, offset, SimdjsonWhat(code));
        return Fail(JsonInputErrorKind::kSyntax, offset, SimdjsonWhat(code));
    }

    bool FailHere(simdjson::error_code code) { return FailSimdjson(code, CurrentOffset()); }

    bool ConvertRoot(Json& out) {
        od::json_type type;
        if (auto code = doc_.type().get(type)) return FailHere(code);
        if (type == od::json_type::array || type == od::json_type::object) {
            od::value value;
            if (auto code = doc_.get_value().get(value)) return FailHere(code);
            if (!ConvertValue(value, 1, out)) return false;
        } else {
            std::string_view raw;
            if (auto code = doc_.raw_json_token().get(raw)) return FailHere(code);
            if (!ConvertScalar(doc_, type, raw, out)) return false;
        }
        // simdjson 3.0 has no document::at_end(); a location inside the input means something follows.
        const char* location = nullptr;
        if (doc_.current_location().get(location) == simdjson::SUCCESS) {
            return Fail(JsonInputErrorKind::kTrailingContent, OffsetOf(location),
                        SimdjsonWhat(simdjson::TRAILING_CONTENT));
        }
        return true;
    }

    bool ConvertValue(od::value& value, std::size_t depth, Json& out) {
        od::json_type type;
        if (auto code = value.type().get(type)) return FailHere(code);
        const std::string_view raw = value.raw_json_token();
        switch (type) {
            case od::json_type::array:
                return ConvertArray(value, depth, OffsetOf(raw.data()), out);
            case od::json_type::object:
                return ConvertObject(value, depth, OffsetOf(raw.data()), out);
            default:
                return ConvertScalar(value, type, raw, out);
        }
    }

    bool CheckDepth(std::size_t depth, std::size_t offset) {
        if (depth <= options_.max_depth) return true;
        return Fail(JsonInputErrorKind::kTooDeep, offset,
                    "arrays and objects nest deeper than " + std::to_string(options_.max_depth) + " levels");
    }

    // Children are gathered in a scratch vector per depth (kept across documents), then moved into one
    // exactly-sized allocation: the tree's own vectors never regrow.
    template <class T>
    static std::vector<T>& ScratchAt(std::deque<std::vector<T>>& levels, std::size_t depth) {
        if (levels.size() <= depth) levels.resize(depth + 1);
        std::vector<T>& scratch = levels[depth];
        scratch.clear();
        return scratch;
    }

    bool ConvertArray(od::value& value, std::size_t depth, std::size_t offset, Json& out) {
        if (!CheckDepth(depth, offset)) return false;
        od::array array;
        if (auto code = value.get_array().get(array)) return FailHere(code);
        std::vector<Json>& elements = ScratchAt(scratch_.elements, depth);
        for (auto element_result : array) {
            od::value element;
            if (auto code = std::move(element_result).get(element)) return FailHere(code);
            elements.emplace_back();
            if (!ConvertValue(element, depth + 1, elements.back())) return false;
        }
        out = Json::Array(
            std::vector<Json>(std::make_move_iterator(elements.begin()), std::make_move_iterator(elements.end())));
        return true;
    }

    bool ConvertObject(od::value& value, std::size_t depth, std::size_t offset, Json& out) {
        if (!CheckDepth(depth, offset)) return false;
        od::object object;
        if (auto code = value.get_object().get(object)) return FailHere(code);
        std::vector<Json::Member>& members = ScratchAt(scratch_.members, depth);
        std::vector<std::size_t>& key_offsets = ScratchAt(scratch_.key_offsets, depth);
        for (auto field_result : object) {
            od::field field;
            if (auto code = std::move(field_result).get(field)) return FailHere(code);
            const char* key_text = field.key().raw();  // just after the opening quote
            std::string key;
            std::string_view unescaped;
            if (field.unescaped_key().get(unescaped) == simdjson::SUCCESS) {
                key.assign(unescaped);
            } else if (!UnescapeAt(key_text, key)) {
                return false;
            }
            key_offsets.push_back(OffsetOf(key_text - 1));
            if (members.size() < kLinearDuplicateScanLimit && IsDuplicateOfEarlier(members, key)) {
                return FailDuplicate(key, key_offsets.back());
            }
            members.emplace_back(std::move(key), Json());
            if (!ConvertValue(field.value(), depth + 1, members.back().second)) return false;
        }
        if (members.size() > kLinearDuplicateScanLimit && !CheckLargeObjectForDuplicates(members, key_offsets)) {
            return false;
        }
        out = Json::Object(std::vector<Json::Member>(std::make_move_iterator(members.begin()),
                                                     std::make_move_iterator(members.end())));
        return true;
    }

    bool IsDuplicateOfEarlier(const std::vector<Json::Member>& members, std::string_view key) const {
        if (!options_.reject_duplicate_members) return false;
        for (const auto& member : members) {
            if (member.first == key) return true;
        }
        return false;
    }

    bool FailDuplicate(std::string_view key, std::size_t offset) {
        return Fail(JsonInputErrorKind::kDuplicateMember, offset,
                    "the member " + engine::QuoteForMessage(key) + " appears twice in one object");
    }

    // Past the linear-scan size: sort member indexes by key, and report the first repeat in input order.
    bool CheckLargeObjectForDuplicates(const std::vector<Json::Member>& members,
                                       const std::vector<std::size_t>& key_offsets) {
        if (!options_.reject_duplicate_members) return true;
        std::vector<std::size_t> order(members.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return members[a].first < members[b].first; });
        std::size_t first_repeat = members.size();
        for (std::size_t i = 1; i < order.size(); ++i) {
            if (members[order[i]].first == members[order[i - 1]].first) first_repeat = std::min(first_repeat, order[i]);
        }
        if (first_repeat == members.size()) return true;
        return FailDuplicate(members[first_repeat].first, key_offsets[first_repeat]);
    }

    // Unescapes the string whose text starts at `text` (after its quote) with lone surrogates allowed.
    bool UnescapeAt(const char* text, std::string& out) {
        const std::size_t start = OffsetOf(text);
        const std::size_t bad = UnescapeLenient(bytes_.substr(start), out);
        if (bad == std::string_view::npos) return true;
        return Fail(JsonInputErrorKind::kSyntax, start + bad, "invalid escape in a string");
    }

    template <class V>
    bool ConvertScalar(V& value, od::json_type type, std::string_view raw, Json& out) {
        const std::size_t offset = OffsetOf(raw.data());
        switch (type) {
            case od::json_type::string: {
                std::string_view text;
                if (value.get_string().get(text) == simdjson::SUCCESS) {
                    out = Json::String(std::string(text));
                    return true;
                }
                std::string lenient;
                if (!UnescapeAt(raw.data() + 1, lenient)) return false;
                out = Json::String(std::move(lenient));
                return true;
            }
            case od::json_type::number:
                return ConvertNumber(value, raw, offset, out);
            case od::json_type::boolean: {
                bool flag = false;
                if (auto code = value.get_bool().get(flag)) return FailSimdjson(code, offset);
                out = Json::Bool(flag);
                return true;
            }
            case od::json_type::null: {
                bool is_null = false;
                if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) {
                    return FailSimdjson(simdjson::N_ATOM_ERROR, offset);
                }
                out = Json::Null();
                return true;
            }
            default:
                return FailSimdjson(simdjson::TAPE_ERROR, offset);
        }
    }

    template <class V>
    bool ConvertNumber(V& value, std::string_view raw, std::size_t offset, Json& out) {
        const std::string_view token = TrimToken(raw);
        if (!IsValidNumberToken(token)) return FailSimdjson(simdjson::NUMBER_ERROR, offset);
        const bool is_integer = token.find_first_of(".eE") == std::string_view::npos;
        std::int64_t int_value = 0;
        double double_value = 0;
        bool fits_int64 = false;
        if (is_integer && value.get_int64().get(int_value) == simdjson::SUCCESS) {
            fits_int64 = true;
            double_value = static_cast<double>(int_value);
        } else if (value.get_double().get(double_value) != simdjson::SUCCESS) {
            // Valid JSON that simdjson will not convert (beyond the double range, or an integer of many
            // digits): the closest double, ±HUGE_VAL past the range. The token keeps the exact text.
            const std::string copy(token);
            double_value = std::strtod(copy.c_str(), nullptr);
        }
        out = Json::Number(std::string(token), double_value, is_integer, fits_int64, int_value);
        return true;
    }

    std::string_view bytes_;
    const JsonInputOptions& options_;
    od::document& doc_;
    ConverterScratch& scratch_;
    JsonInputError error_;
};

bool IsBlank(std::string_view bytes) {
    for (char c : bytes) {
        if (!IsJsonSpace(c)) return false;
    }
    return true;
}

}  // namespace

std::string_view JsonInputErrorKindName(JsonInputErrorKind kind) {
    switch (kind) {
        case JsonInputErrorKind::kEmpty:
            return "EMPTY";
        case JsonInputErrorKind::kSyntax:
            return "SYNTAX";
        case JsonInputErrorKind::kInvalidUtf8:
            return "INVALID_UTF8";
        case JsonInputErrorKind::kTooDeep:
            return "TOO_DEEP";
        case JsonInputErrorKind::kDuplicateMember:
            return "DUPLICATE_MEMBER";
        case JsonInputErrorKind::kTrailingContent:
            return "TRAILING_CONTENT";
        case JsonInputErrorKind::kTooLarge:
            return "TOO_LARGE";
    }
    return "SYNTAX";
}

struct JsonInputParser::Impl {
    explicit Impl(JsonInputOptions parse_options) : options(parse_options) {}

    // `data` must be readable for `capacity` >= size + SIMDJSON_PADDING bytes.
    JsonInputResult Run(const char* data, std::size_t size, std::size_t capacity) {
        const std::string_view bytes(data, size);
        if (IsBlank(bytes)) return MakeError(JsonInputErrorKind::kEmpty, 0, "the body is empty");
        if (size > simdjson::SIMDJSON_MAXSIZE_BYTES) {
            return MakeError(JsonInputErrorKind::kTooLarge, 0, "the document is too large");
        }
        od::document doc;
        if (auto code = parser.iterate(data, size, capacity).get(doc)) return LocateFirstPassError(bytes, code);
        return Converter(bytes, options, doc, scratch).Run();
    }

    JsonInputOptions options;
    od::parser parser;
    std::string padded;
    ConverterScratch scratch;
};

JsonInputParser::JsonInputParser(JsonInputOptions options) : impl_(std::make_unique<Impl>(options)) {}
JsonInputParser::~JsonInputParser() = default;

void JsonInputParser::SetOptions(const JsonInputOptions& options) { impl_->options = options; }

JsonInputResult JsonInputParser::Parse(std::string_view bytes) {
    std::string& padded = impl_->padded;
    padded.clear();
    padded.reserve(bytes.size() + simdjson::SIMDJSON_PADDING);
    padded.append(bytes);
    return impl_->Run(padded.data(), padded.size(), padded.capacity());
}

JsonInputResult JsonInputParser::ParseInPlace(std::string& bytes) {
    if (bytes.capacity() < bytes.size() + simdjson::SIMDJSON_PADDING) {
        bytes.reserve(bytes.size() + simdjson::SIMDJSON_PADDING);
    }
    return impl_->Run(bytes.data(), bytes.size(), bytes.capacity());
}

JsonInputResult ParseJsonInput(std::string_view bytes, const JsonInputOptions& options) {
    if (bytes.size() > kThreadParserMaxBytes) return JsonInputParser(options).Parse(bytes);
    thread_local JsonInputParser parser;
    parser.SetOptions(options);
    return parser.Parse(bytes);
}

HttpResponse InvalidJsonResponse(const JsonInputError& error) {
    return ErrorResponse(400, "INVALID_JSON", error.message, {}, [&](engine::JsonWriter& writer) {
        writer.Key("offset").Int(static_cast<std::int64_t>(error.offset));
    });
}

}  // namespace contactd::ingest
