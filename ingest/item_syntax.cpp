#include "ingest/item_syntax.hpp"

#include <simdjson.h>

#include <cstring>
#include <new>

namespace contactd::ingest {

namespace {

// simdjson's default; the walk that locates errors uses the same limit so the two agree on depth.
constexpr std::size_t kMaxDepth = simdjson::DEFAULT_MAX_DEPTH;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Length of the valid UTF-8 sequence at text[at], or 0 when it is not valid (overlong, surrogate, > U+10FFFF,
// cut short).
std::size_t Utf8SequenceLength(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80) return 1;
    const std::size_t left = text.size() - at;
    const auto continuation = [&](std::size_t k) { return (byte(k) & 0xC0) == 0x80; };
    if (lead >= 0xC2 && lead <= 0xDF) return left >= 2 && continuation(at + 1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (left < 3 || !continuation(at + 1) || !continuation(at + 2)) return 0;
        if (lead == 0xE0 && byte(at + 1) < 0xA0) return 0;   // overlong
        if (lead == 0xED && byte(at + 1) >= 0xA0) return 0;  // surrogate
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (left < 4 || !continuation(at + 1) || !continuation(at + 2) || !continuation(at + 3)) return 0;
        if (lead == 0xF0 && byte(at + 1) < 0x90) return 0;   // overlong
        if (lead == 0xF4 && byte(at + 1) >= 0x90) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

//! A readable message for a simdjson parse error, for when the slow walk finds nothing to point at.
std::string_view DescribeSimdjsonError(simdjson::error_code code) {
    switch (code) {
        case simdjson::EMPTY:
            return "invalid JSON: the item is empty";
        case simdjson::UTF8_ERROR:
            return "invalid JSON: the bytes are not valid UTF-8";
        case simdjson::UNCLOSED_STRING:
            return "invalid JSON: unclosed string";
        case simdjson::UNESCAPED_CHARS:
            return "invalid JSON: a control character in a string must be escaped";
        case simdjson::STRING_ERROR:
            return "invalid JSON: invalid string escape";
        case simdjson::T_ATOM_ERROR:
        case simdjson::F_ATOM_ERROR:
        case simdjson::N_ATOM_ERROR:
            return "invalid JSON: invalid literal (expected true, false or null)";
        case simdjson::NUMBER_ERROR:
            return "invalid JSON: invalid number";
        case simdjson::DEPTH_ERROR:
            return "invalid JSON: arrays and objects nest too deeply";
        case simdjson::TRAILING_CONTENT:
            return "invalid JSON: unexpected content after the value";
        case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
            return "invalid JSON: the value ends too early";
        case simdjson::CAPACITY:
            return "invalid JSON: the item is too large to parse";
        case simdjson::TAPE_ERROR:
            return "invalid JSON: misplaced or missing brackets, commas or colons";
        default:
            return "invalid JSON";
    }
}

//! What the slow walk found: the first error, or that the text is grammatical (and whether it is an object).
struct Walk {
    std::optional<ItemSyntaxError> error;
    bool is_object = false;
};

//! Walks JSON text byte by byte to find the first error and its offset. Slow and simple: it runs only on
//! items simdjson has already rejected.
class ErrorLocator {
  public:
    explicit ErrorLocator(std::string_view text) : text_(text) {}

    Walk Run() {
        SkipSpace();
        if (at_ == text_.size()) return Fail(0, "the item is empty");
        walk_.is_object = text_[at_] == '{';
        if (!Value()) return walk_;
        SkipSpace();
        if (at_ < text_.size()) return Fail(at_, "unexpected content after the value");
        return walk_;
    }

  private:
    // Iterative over the brackets (an item may nest deeply); strings, numbers and literals are leaves.
    bool Value() {
        std::string open;
        enum class Next { kValue, kValueOrClose, kNameOrClose, kName, kCommaOrClose };
        Next next = Next::kValue;
        while (true) {
            SkipSpace();
            if (at_ == text_.size()) return Failed(at_, "the value ends too early");
            const char c = text_[at_];
            switch (next) {
                case Next::kNameOrClose:
                case Next::kName:
                    if (c == '}' && next == Next::kNameOrClose) {
                        ++at_;
                        open.pop_back();
                        break;
                    }
                    if (c != '"') return Failed(at_, "expected a member name (a string)");
                    if (!String()) return false;
                    SkipSpace();
                    if (at_ == text_.size()) return Failed(at_, "the value ends too early");
                    if (text_[at_] != ':') return Failed(at_, "expected ':' after the member name");
                    ++at_;
                    next = Next::kValue;
                    continue;
                case Next::kCommaOrClose: {
                    const char close = open.back() == '{' ? '}' : ']';
                    if (c == close) {
                        ++at_;
                        open.pop_back();
                        break;
                    }
                    if (c != ',')
                        return Failed(at_, open.back() == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
                    ++at_;
                    next = open.back() == '{' ? Next::kName : Next::kValue;
                    continue;
                }
                case Next::kValueOrClose:
                    if (c == ']') {
                        ++at_;
                        open.pop_back();
                        break;
                    }
                    [[fallthrough]];
                case Next::kValue:
                    if (c == '{' || c == '[') {
                        if (open.size() >= kMaxDepth) return Failed(at_, "arrays and objects nest too deeply");
                        open.push_back(c);
                        ++at_;
                        next = c == '{' ? Next::kNameOrClose : Next::kValueOrClose;
                        continue;
                    }
                    if (!Scalar()) return false;
                    break;
            }
            // A value just ended.
            if (open.empty()) return true;
            next = Next::kCommaOrClose;
        }
    }

    bool Scalar() {
        const char c = text_[at_];
        if (c == '"') return String();
        if (c == 't') return Literal("true");
        if (c == 'f') return Literal("false");
        if (c == 'n') return Literal("null");
        if (c == '-' || IsDigit(c)) return Number();
        if (static_cast<unsigned char>(c) >= 0x80 && Utf8SequenceLength(text_, at_) == 0) {
            return Failed(at_, "the bytes are not valid UTF-8");
        }
        return Failed(at_, "expected a value");
    }

    bool String() {
        const std::size_t start = at_++;
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == '"') {
                ++at_;
                return true;
            }
            if (c == '\\') {
                if (++at_ == text_.size()) break;
                const char escaped = text_[at_];
                if (escaped == 'u') {
                    for (int digit = 0; digit < 4; ++digit) {
                        if (++at_ == text_.size()) return Failed(start, "unclosed string");
                        if (!IsHexDigit(text_[at_])) return Failed(at_, "invalid \\u escape: expected four hex digits");
                    }
                } else if (std::strchr("\"\\/bfnrt", escaped) == nullptr || escaped == '\0') {
                    return Failed(at_, "invalid escape in a string");
                }
                ++at_;
                continue;
            }
            if (static_cast<unsigned char>(c) < 0x20) {
                return Failed(at_, "a control character in a string must be escaped");
            }
            const std::size_t length = Utf8SequenceLength(text_, at_);
            if (length == 0) return Failed(at_, "the bytes are not valid UTF-8");
            at_ += length;
        }
        return Failed(start, "unclosed string");
    }

    bool Literal(std::string_view word) {
        for (const char expected : word) {
            if (at_ == text_.size()) return Failed(at_, "the value ends too early");
            if (text_[at_] != expected) return Failed(at_, "invalid literal (expected true, false or null)");
            ++at_;
        }
        return true;
    }

    bool Number() {
        if (text_[at_] == '-') ++at_;
        if (at_ == text_.size()) return Failed(at_, "the value ends too early");
        if (text_[at_] == '0') {
            ++at_;
            if (at_ < text_.size() && IsDigit(text_[at_])) return Failed(at_, "invalid number: leading zero");
        } else if (!Digits()) {
            return Failed(at_, "invalid number: expected a digit");
        }
        if (at_ < text_.size() && text_[at_] == '.') {
            ++at_;
            if (!Digits()) return Failed(at_, "invalid number: expected a digit after the point");
        }
        if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
            ++at_;
            if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
            if (!Digits()) return Failed(at_, "invalid number: expected a digit in the exponent");
        }
        return true;
    }

    bool Digits() {
        const std::size_t start = at_;
        while (at_ < text_.size() && IsDigit(text_[at_])) ++at_;
        return at_ > start;
    }

    void SkipSpace() {
        while (at_ < text_.size() && IsJsonSpace(text_[at_])) ++at_;
    }

    bool Failed(std::size_t offset, std::string_view what) {
        Fail(offset, what);
        return false;
    }

    Walk Fail(std::size_t offset, std::string_view what) {
        walk_.error = ItemSyntaxError{offset, "invalid JSON: " + std::string(what)};
        walk_.is_object = false;
        return walk_;
    }

    std::string_view text_;
    std::size_t at_ = 0;
    Walk walk_;
};

}  // namespace

struct ItemSyntaxChecker::Impl {
    simdjson::dom::parser parser;
    std::unique_ptr<char[]> padded;  // the item's copy, followed by SIMDJSON_PADDING readable bytes
    std::size_t padded_capacity = 0;

    const char* CopyPadded(std::string_view item) {
        const std::size_t needed = item.size() + simdjson::SIMDJSON_PADDING;
        if (needed > padded_capacity) {
            padded.reset(new char[needed]);
            padded_capacity = needed;
        }
        if (!item.empty()) std::memcpy(padded.get(), item.data(), item.size());
        std::memset(padded.get() + item.size(), 0, simdjson::SIMDJSON_PADDING);
        return padded.get();
    }
};

ItemSyntaxChecker::ItemSyntaxChecker() : impl_(std::make_unique<Impl>()) {}

ItemSyntaxChecker::~ItemSyntaxChecker() = default;

ItemSyntaxResult ItemSyntaxChecker::Check(std::string_view item) {
    const char* padded = impl_->CopyPadded(item);
    simdjson::dom::element root;
    const simdjson::error_code code = impl_->parser.parse(padded, item.size(), /*realloc_if_needed=*/false).get(root);
    if (code == simdjson::SUCCESS) return ItemSyntaxResult{std::nullopt, root.is_object()};
    if (code == simdjson::MEMALLOC) throw std::bad_alloc();

    Walk walk = ErrorLocator(item).Run();
    if (walk.error) return ItemSyntaxResult{std::move(walk.error), false};
    // The grammar holds, yet simdjson refused: a number beyond its range (1e400, an integer past 64 bits) or a
    // lone surrogate escape ("\ud800"). JSON allows both, and so does JsonInputParser, which keeps them for
    // the engine to judge field by field.
    if (code == simdjson::NUMBER_ERROR || code == simdjson::STRING_ERROR) {
        return ItemSyntaxResult{std::nullopt, walk.is_object};
    }
    return ItemSyntaxResult{ItemSyntaxError{0, std::string(DescribeSimdjsonError(code))}, false};
}

}  // namespace contactd::ingest
