#pragma once
// Test helper: reads JSON text into engine::Json, so engine tests can state inputs as JSON. A small
// recursive-descent reader (the product parses with simdjson in ingest; the engine must not depend on it).
// Lone \uD800-style escapes become WTF-8 bytes, as ingest hands them over.

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "engine/json.hpp"
#include "engine/text_rules.hpp"

namespace contactd::testing {

class JsonText {
  public:
    static engine::Json Parse(std::string_view text) {
        JsonText reader(text);
        engine::Json value = reader.Value();
        reader.Space();
        if (reader.at_ != text.size()) throw std::runtime_error("trailing characters in test JSON");
        return value;
    }

  private:
    explicit JsonText(std::string_view text) : text_(text) {}

    void Space() {
        while (at_ < text_.size() &&
               (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\t' || text_[at_] == '\r')) {
            ++at_;
        }
    }
    char Peek() {
        Space();
        if (at_ >= text_.size()) throw std::runtime_error("unexpected end of test JSON");
        return text_[at_];
    }
    void Expect(char c) {
        if (Peek() != c) throw std::runtime_error(std::string("expected ") + c + " in test JSON");
        ++at_;
    }
    bool Literal(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) return false;
        at_ += word.size();
        return true;
    }

    engine::Json Value() {
        const char c = Peek();
        if (c == '{') return Object();
        if (c == '[') return Array();
        if (c == '"') return engine::Json::String(String());
        if (Literal("true")) return engine::Json::Bool(true);
        if (Literal("false")) return engine::Json::Bool(false);
        if (Literal("null")) return engine::Json::Null();
        return Number();
    }

    engine::Json Object() {
        Expect('{');
        std::vector<engine::Json::Member> members;
        if (Peek() == '}') {
            ++at_;
            return engine::Json::Object(std::move(members));
        }
        while (true) {
            Space();
            std::string key = String();
            Expect(':');
            members.emplace_back(std::move(key), Value());
            if (Peek() == ',') {
                ++at_;
                continue;
            }
            Expect('}');
            return engine::Json::Object(std::move(members));
        }
    }

    engine::Json Array() {
        Expect('[');
        std::vector<engine::Json> elements;
        if (Peek() == ']') {
            ++at_;
            return engine::Json::Array(std::move(elements));
        }
        while (true) {
            elements.push_back(Value());
            if (Peek() == ',') {
                ++at_;
                continue;
            }
            Expect(']');
            return engine::Json::Array(std::move(elements));
        }
    }

    unsigned Hex4() {
        const unsigned value = static_cast<unsigned>(std::stoul(std::string(text_.substr(at_, 4)), nullptr, 16));
        at_ += 4;
        return value;
    }

    std::string String() {
        Expect('"');
        std::string out;
        while (at_ < text_.size() && text_[at_] != '"') {
            if (text_[at_] != '\\') {
                out.push_back(text_[at_++]);
                continue;
            }
            ++at_;
            const char escape = text_[at_++];
            switch (escape) {
                case 'n':
                    out.push_back('\n');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'u': {
                    unsigned cp = Hex4();
                    if (cp >= 0xD800 && cp <= 0xDBFF && text_.substr(at_, 2) == "\\u") {
                        const std::size_t save = at_;
                        at_ += 2;
                        const unsigned low = Hex4();
                        if (low >= 0xDC00 && low <= 0xDFFF) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        } else {
                            at_ = save;
                        }
                    }
                    engine::AppendUtf8(out, cp);  // surrogates too (WTF-8), as ingest does
                    break;
                }
                default:
                    out.push_back(escape);
            }
        }
        Expect('"');
        return out;
    }

    engine::Json Number() {
        const std::size_t start = at_;
        bool integer = true;
        while (at_ < text_.size() && std::string_view("+-0123456789.eE").find(text_[at_]) != std::string_view::npos) {
            if (text_[at_] == '.' || text_[at_] == 'e' || text_[at_] == 'E') integer = false;
            ++at_;
        }
        if (at_ == start) throw std::runtime_error("bad test JSON value");
        const std::string token(text_.substr(start, at_ - start));
        const double value = std::strtod(token.c_str(), nullptr);
        errno = 0;
        char* end = nullptr;
        const long long as_int = std::strtoll(token.c_str(), &end, 10);
        const bool fits = integer && errno != ERANGE;
        return engine::Json::Number(token, value, integer, fits, fits ? as_int : 0);
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

inline engine::Json J(std::string_view text) { return JsonText::Parse(text); }

}  // namespace contactd::testing
