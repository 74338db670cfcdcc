#include "engine/url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace contactd::engine {
namespace {

std::string Accepted(std::string_view input) {
    const Checked<std::string> result = CheckHttpUrl(input);
    EXPECT_TRUE(result.ok()) << input << ": " << result.problem().message;
    return result.ok() ? result.value() : std::string();
}

Problem Refused(std::string_view input) {
    const Checked<std::string> result = CheckHttpUrl(input);
    EXPECT_FALSE(result.ok()) << input << " was accepted";
    return result.ok() ? Problem{Code::kUnknownField, "accepted"} : result.problem();
}

TEST(CheckHttpUrl, AcceptsPlainHttpAndHttpsUrls) {
    EXPECT_EQ(Accepted("https://example.com"), "https://example.com");
    EXPECT_EQ(Accepted("http://example.com/"), "http://example.com/");
    EXPECT_EQ(Accepted("https://crm.example.com/contacts/42"), "https://crm.example.com/contacts/42");
}

TEST(CheckHttpUrl, LowerCasesTheSchemeAndKeepsTheRestUnchanged) {
    EXPECT_EQ(Accepted("HTTPS://Example.COM/Path/To?Q=A#Frag"), "https://Example.COM/Path/To?Q=A#Frag");
    EXPECT_EQ(Accepted("HtTp://example.com"), "http://example.com");
}

TEST(CheckHttpUrl, AcceptsPortsQueriesAndFragments) {
    EXPECT_EQ(Accepted("https://example.com:8443/x?y=1&z=%20#top"), "https://example.com:8443/x?y=1&z=%20#top");
    EXPECT_EQ(Accepted("http://example.com:1"), "http://example.com:1");
    EXPECT_EQ(Accepted("http://example.com:65535/"), "http://example.com:65535/");
    EXPECT_EQ(Accepted("https://example.com?q=1"), "https://example.com?q=1");
    EXPECT_EQ(Accepted("https://example.com#section"), "https://example.com#section");
}

TEST(CheckHttpUrl, AcceptsIpAddressesUserInfoAndInternationalHosts) {
    EXPECT_EQ(Accepted("http://192.168.0.1/admin"), "http://192.168.0.1/admin");
    EXPECT_EQ(Accepted("http://[::1]:8080/"), "http://[::1]:8080/");
    EXPECT_EQ(Accepted("http://[2001:db8::7]"), "http://[2001:db8::7]");
    EXPECT_EQ(Accepted("https://user:secret@example.com/"), "https://user:secret@example.com/");
    EXPECT_EQ(Accepted("https://bücher.de/straße"), "https://bücher.de/straße");
    EXPECT_EQ(Accepted("https://example.com./"), "https://example.com./");
}

TEST(CheckHttpUrl, TrimsSurroundingSpaces) { EXPECT_EQ(Accepted("  https://example.com/ "), "https://example.com/"); }

TEST(CheckHttpUrl, RefusesFtpAndOtherSchemesNamingTheScheme) {
    const Problem problem = Refused("ftp://files.example.com/a.csv");
    EXPECT_EQ(problem.code, Code::kInvalidFormat);
    EXPECT_EQ(problem.message,
              "not a valid URL: \"ftp://files.example.com/a.csv\" uses the scheme \"ftp\"; only http and https are "
              "accepted");
    EXPECT_EQ(Refused("javascript:alert(1)").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("mailto:ana@example.com").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("file:///etc/passwd").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("httpx://example.com").code, Code::kInvalidFormat);
}

TEST(CheckHttpUrl, RefusesRelativeAndSchemeLessUrls) {
    EXPECT_NE(Refused("www.example.com").message.find("is not an absolute URL"), std::string::npos);
    EXPECT_EQ(Refused("//example.com/x").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("/contacts/42").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("").code, Code::kInvalidFormat);
}

TEST(CheckHttpUrl, RefusesASchemeWithoutDoubleSlash) {
    EXPECT_EQ(Refused("http:/example.com").message,
              "not a valid URL: \"http:/example.com\" has no \"//\" after \"http:\"");
    EXPECT_EQ(Refused("https:example.com").code, Code::kInvalidFormat);
}

TEST(CheckHttpUrl, RefusesAnEmptyHost) {
    EXPECT_EQ(Refused("http://").message, "not a valid URL: \"http://\" has no host");
    EXPECT_EQ(Refused("https:///path").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("https://:443/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("https://user@/").code, Code::kInvalidFormat);
}

TEST(CheckHttpUrl, RefusesPortsOutside1To65535AndNonNumericPorts) {
    EXPECT_NE(Refused("http://example.com:0/").message.find("ports are 1 to 65535"), std::string::npos);
    EXPECT_NE(Refused("http://example.com:65536/").message.find("ports are 1 to 65535"), std::string::npos);
    EXPECT_EQ(Refused("http://example.com:99999999999999999999/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("http://example.com:80a/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("http://example.com:/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("http://[::1]:0/").code, Code::kInvalidFormat);
}

TEST(CheckHttpUrl, RefusesMalformedHosts) {
    EXPECT_EQ(Refused("http://exa<mple.com/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("http://example..com/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("http://.example.com/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("http://exa%2mple.com/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("http://[::1/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("http://[]/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("http://[::1]x/").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("http://[zz::1]/").code, Code::kInvalidFormat);
}

TEST(CheckHttpUrl, RefusesWhiteSpaceInside) {
    EXPECT_EQ(Refused("https://example.com/é b").message,
              "not a valid URL: \"https://example.com/é b\" contains white space at position 21 (encode it as %20)");
    EXPECT_EQ(Refused("https://exa mple.com").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("https://example.com/a\u00A0b").code, Code::kInvalidFormat);
    EXPECT_EQ(Refused("https://example.com/a\u3000b").code, Code::kInvalidFormat);
}

TEST(CheckHttpUrl, RefusesControlCharactersAndBadUtf8AsInvalidCharacters) {
    EXPECT_EQ(Refused("https://example.com/a\tb").code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused("https://example.com/\r\nSet-Cookie: x").code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused(std::string("https://example.com/\0", 21)).code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused("https://example.com/\xC2\x9B").code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused("https://example.com/\xED\xA0\x80").code, Code::kInvalidCharacters);
    EXPECT_EQ(Refused("https://example.com/\xC0\xAF").code, Code::kInvalidCharacters);
}

TEST(CheckHttpUrl, Accepts2048CharactersAndRefuses2049AsTooLong) {
    const std::string base = "https://example.com/";
    const std::string at_limit = base + std::string(2048 - base.size(), 'p');
    EXPECT_EQ(Accepted(at_limit), at_limit);
    const Problem problem = Refused(at_limit + "p");
    EXPECT_EQ(problem.code, Code::kValueTooLong);
    EXPECT_EQ(problem.message, "is 2049 characters long; the limit is 2048");
}

TEST(CheckHttpUrl, CountsTheLengthLimitInCharactersNotBytes) {
    const std::string base = "https://example.com/";
    std::string at_limit = base;
    while (at_limit.size() < base.size() + 2 * (2048 - base.size())) at_limit += "é";  // 2048 characters
    EXPECT_EQ(Accepted(at_limit), at_limit);
    EXPECT_EQ(Refused(at_limit + "é").code, Code::kValueTooLong);
}

}  // namespace
}  // namespace contactd::engine
