#include "engine/url.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "engine/text_rules.hpp"

namespace contactd::engine {

namespace {

constexpr std::uint32_t kMaxPort = 65535;

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsAsciiDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Length in bytes of a Unicode white-space character at s[i] (valid UTF-8), else 0.
std::size_t UnicodeSpaceLength(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0U; };
    const unsigned b0 = byte(i), b1 = byte(i + 1), b2 = byte(i + 2);
    if (b0 == 0xC2 && b1 == 0xA0) return 2;                // NBSP
    if (b0 == 0xE1 && b1 == 0x9A && b2 == 0x80) return 3;  // ogham space mark
    if (b0 == 0xE2 && b1 == 0x80 && (b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF)) return 3;
    if (b0 == 0xE2 && b1 == 0x81 && b2 == 0x9F) return 3;  // medium mathematical space
    if (b0 == 0xE3 && b1 == 0x80 && b2 == 0x80) return 3;  // ideographic space
    return 0;
}

Problem Invalid(std::string_view url, std::string_view reason) {
    return MakeProblem(Code::kInvalidFormat, "not a valid URL: " + QuoteForMessage(url) + " " + std::string(reason));
}

std::optional<std::string> WhiteSpaceProblem(std::string_view url) {
    for (std::size_t i = 0; i < url.size(); ++i) {
        if (url[i] == ' ' || UnicodeSpaceLength(url, i) != 0) {
            return "contains white space at position " + std::to_string(CountCodePoints(url.substr(0, i))) +
                   " (encode it as %20)";
        }
    }
    return std::nullopt;
}

bool IsHostCharacter(char c) {
    return IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '%' ||
           static_cast<unsigned char>(c) >= 0x80;  // internationalised host names, written as UTF-8
}

std::optional<std::string> RegisteredNameProblem(std::string_view host) {
    for (std::size_t i = 0; i < host.size(); ++i) {
        const char c = host[i];
        if (!IsHostCharacter(c)) return "has the character " + QuoteForMessage(host.substr(i, 1)) + " in its host";
        if (c == '%' && (i + 2 >= host.size() || !IsHexDigit(host[i + 1]) || !IsHexDigit(host[i + 2]))) {
            return std::string("has a \"%\" in its host that is not followed by two hex digits");
        }
    }
    // A single trailing dot (a fully qualified name) is fine; other empty labels are not.
    const std::string_view labels = host.back() == '.' ? host.substr(0, host.size() - 1) : host;
    if (labels.empty() || labels.front() == '.' || labels.back() == '.' ||
        labels.find("..") != std::string_view::npos) {
        return "has an empty label in its host " + QuoteForMessage(host);
    }
    return std::nullopt;
}

std::optional<std::string> IpLiteralProblem(std::string_view inside_brackets) {
    if (inside_brackets.empty()) return std::string("has an empty IP literal \"[]\"");
    for (char c : inside_brackets) {
        if (!IsHexDigit(c) && c != ':' && c != '.') {
            return "has the character " + QuoteForMessage(std::string_view(&c, 1)) + " in its IPv6 address";
        }
    }
    if (inside_brackets.find(':') == std::string_view::npos) return std::string("has an IPv6 address without a colon");
    return std::nullopt;
}

std::optional<std::string> PortProblem(std::string_view port) {
    if (port.empty()) return std::string("has an empty port after \":\"");
    std::uint32_t value = 0;
    for (char c : port) {
        if (!IsAsciiDigit(c)) return "has the port " + QuoteForMessage(port) + ", which is not a number";
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
        if (value > kMaxPort) break;
    }
    if (value == 0 || value > kMaxPort) return "has the port " + QuoteForMessage(port) + "; ports are 1 to 65535";
    return std::nullopt;
}

// Checks `userinfo@host:port` (the part between "//" and the path).
std::optional<std::string> AuthorityProblem(std::string_view authority) {
    const std::size_t at = authority.rfind('@');
    const std::string_view host_port = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (host_port.empty()) return std::string("has no host");

    std::string_view host = host_port;
    std::optional<std::string_view> port;
    if (host_port.front() == '[') {
        const std::size_t close = host_port.find(']');
        if (close == std::string_view::npos) return std::string("has a \"[\" in its host without a closing \"]\"");
        if (auto problem = IpLiteralProblem(host_port.substr(1, close - 1))) return problem;
        const std::string_view after = host_port.substr(close + 1);
        if (!after.empty() && after.front() != ':') return std::string("has characters after its IPv6 address");
        if (!after.empty()) port = after.substr(1);
        host = host_port.substr(0, close + 1);
    } else {
        const std::size_t colon = host_port.rfind(':');
        if (colon != std::string_view::npos) {
            port = host_port.substr(colon + 1);
            host = host_port.substr(0, colon);
        }
        if (host.empty()) return std::string("has no host");
        if (auto problem = RegisteredNameProblem(host)) return problem;
    }
    if (port) return PortProblem(*port);
    return std::nullopt;
}

}  // namespace

Checked<std::string> CheckHttpUrl(std::string_view input) {
    Checked<std::size_t> length = CheckText(input, TextKind::kSingleLine, kUrlMaxLength);
    if (!length.ok()) return length.problem();
    // Pasted URLs often carry a space at either end; it can never belong to the URL.
    const std::string_view url = TrimAsciiSpace(input);
    if (url.empty()) return Invalid(url, "is empty");
    if (auto problem = WhiteSpaceProblem(url)) return Invalid(url, *problem);

    const std::size_t colon = url.find(':');
    bool has_scheme = colon != std::string_view::npos && colon > 0 && IsAsciiAlpha(url[0]);
    for (std::size_t i = 1; has_scheme && i < colon; ++i) {
        const char c = url[i];
        has_scheme = IsAsciiAlpha(c) || IsAsciiDigit(c) || c == '+' || c == '-' || c == '.';
    }
    if (!has_scheme) return Invalid(url, "is not an absolute URL: it does not start with http:// or https://");
    const std::string scheme = AsciiLower(url.substr(0, colon));
    if (scheme != "http" && scheme != "https") {
        return Invalid(url, "uses the scheme " + QuoteForMessage(scheme) + "; only http and https are accepted");
    }
    if (url.substr(colon + 1, 2) != "//") return Invalid(url, "has no \"//\" after \"" + scheme + ":\"");

    const std::size_t authority_start = colon + 3;
    const std::size_t authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
    if (auto problem = AuthorityProblem(url.substr(authority_start, authority_end - authority_start))) {
        return Invalid(url, *problem);
    }
    return scheme + std::string(url.substr(colon));
}

}  // namespace contactd::engine
