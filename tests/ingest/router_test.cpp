#include "ingest/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "engine/json_writer.hpp"
#include "ingest/percent_encoding.hpp"

namespace contactd::ingest {
namespace {

Handler Answer(std::string name) {
    return [name](HttpRequest&) { return JsonResponse(200, "\"" + name + "\""); };
}

Router ContactRoutes() {
    Router router;
    router.Add(HttpMethod::kGet, "/v1/contacts/{id}", Answer("get"))
        .Add(HttpMethod::kPut, "/v1/contacts/{id}", Answer("put"))
        .Add(HttpMethod::kPatch, "/v1/contacts/{id}", Answer("patch"))
        .Add(HttpMethod::kPost, "/v1/contacts", Answer("create"))
        .Add(HttpMethod::kPost, "/v1/contacts/search", Answer("search"))
        .Add(HttpMethod::kPost, "/v1/contacts/{id}/merge", Answer("merge"))
        .Add(HttpMethod::kDelete, "/v1/admin/workspaces/{id}/keys/{key_id}", Answer("revoke"))
        .Add(HttpMethod::kGet, "/healthz", Answer("health"))
        .SetMethodNotAllowedMessage("/v1/contacts/search", "search is a POST: send the filters as a JSON body");
    return router;
}

std::string Call(const RouteMatch& match) {
    HttpRequest request;
    return match.route->handler(request).body;
}

TEST(Router, MatchesLiteralAndParameterSegments) {
    const Router router = ContactRoutes();
    const RouteMatch match = router.Match(HttpMethod::kPost, "POST", "/v1/contacts/abc-1/merge");
    ASSERT_NE(match.route, nullptr);
    EXPECT_EQ(Call(match), "\"merge\"");
    ASSERT_EQ(match.path_params.size(), 1u);
    EXPECT_EQ(match.path_params[0].first, "id");
    EXPECT_EQ(match.path_params[0].second, "abc-1");
    EXPECT_EQ(Call(router.Match(HttpMethod::kGet, "GET", "/healthz")), "\"health\"");
}

TEST(Router, SeveralParametersAreAllCaptured) {
    const RouteMatch match = ContactRoutes().Match(HttpMethod::kDelete, "DELETE", "/v1/admin/workspaces/w1/keys/k9");
    ASSERT_NE(match.route, nullptr);
    ASSERT_EQ(match.path_params.size(), 2u);
    EXPECT_EQ(match.path_params[0], (std::pair<std::string, std::string>{"id", "w1"}));
    EXPECT_EQ(match.path_params[1], (std::pair<std::string, std::string>{"key_id", "k9"}));
}

TEST(Router, LiteralSegmentBeatsParameter) {
    const Router router = ContactRoutes();
    EXPECT_EQ(Call(router.Match(HttpMethod::kPost, "POST", "/v1/contacts/search")), "\"search\"");
    EXPECT_EQ(Call(router.Match(HttpMethod::kGet, "GET", "/v1/contacts/searcher")), "\"get\"");
}

TEST(Router, GetOnSearchIs405SayingSearchIsAPost) {
    const RouteMatch match = ContactRoutes().Match(HttpMethod::kGet, "GET", "/v1/contacts/search");
    ASSERT_EQ(match.route, nullptr);
    ASSERT_TRUE(match.error.has_value());
    EXPECT_EQ(match.error->status, 405);
    EXPECT_EQ(match.error->headers.Find("Allow"), "POST");
    EXPECT_NE(match.error->body.find("\"code\":\"METHOD_NOT_ALLOWED\""), std::string::npos);
    EXPECT_NE(match.error->body.find("search is a POST"), std::string::npos);
}

TEST(Router, WrongMethodIs405ListingAllowedMethodsInCanonicalOrder) {
    const RouteMatch match = ContactRoutes().Match(HttpMethod::kDelete, "DELETE", "/v1/contacts/abc");
    ASSERT_TRUE(match.error.has_value());
    EXPECT_EQ(match.error->status, 405);
    EXPECT_EQ(match.error->headers.Find("allow"), "GET, PUT, PATCH");
    EXPECT_NE(match.error->body.find("DELETE is not allowed on /v1/contacts/{id}"), std::string::npos);
}

TEST(Router, UnknownMethodTokenIs405) {
    const RouteMatch match = ContactRoutes().Match(HttpMethod::kOther, "BREW", "/healthz");
    ASSERT_TRUE(match.error.has_value());
    EXPECT_EQ(match.error->status, 405);
    EXPECT_NE(match.error->body.find("BREW is not allowed"), std::string::npos);
}

TEST(Router, UnknownPathIs404) {
    const Router router = ContactRoutes();
    for (const char* path : {"/", "/v2/contacts", "/v1/contacts/a/b", "/v1/contacts/a/merge/x", "/healthz/", "/v1"}) {
        SCOPED_TRACE(path);
        const RouteMatch match = router.Match(HttpMethod::kGet, "GET", path);
        ASSERT_TRUE(match.error.has_value());
        EXPECT_EQ(match.error->status, 404);
        EXPECT_NE(match.error->body.find("\"code\":\"NOT_FOUND\""), std::string::npos);
    }
}

TEST(Router, EmptyParameterSegmentDoesNotMatch) {
    const Router router = ContactRoutes();
    EXPECT_EQ(router.Match(HttpMethod::kPost, "POST", "/v1/contacts//merge").error->status, 404);
    EXPECT_EQ(router.Match(HttpMethod::kGet, "GET", "/v1/contacts/").error->status, 404);
}

TEST(Router, PathSegmentsArePercentDecodedAfterSplitting) {
    const RouteMatch match = ContactRoutes().Match(HttpMethod::kGet, "GET", "/v1/contacts/a%2Fb%20c+d%C3%A9");
    ASSERT_NE(match.route, nullptr);
    EXPECT_EQ(match.path_params[0].second, "a/b c+dé");
    const RouteMatch literal = ContactRoutes().Match(HttpMethod::kGet, "GET", "/health%7A");
    ASSERT_NE(literal.route, nullptr);
}

TEST(Router, BadPercentEscapeIs400) {
    const RouteMatch match = ContactRoutes().Match(HttpMethod::kGet, "GET", "/v1/contacts/a%2");
    ASSERT_TRUE(match.error.has_value());
    EXPECT_EQ(match.error->status, 400);
    EXPECT_EQ(ContactRoutes().Match(HttpMethod::kGet, "GET", "/v1/contacts/%zz").error->status, 400);
}

TEST(Router, TargetThatIsNotAPathIs400) {
    EXPECT_EQ(ContactRoutes().Match(HttpMethod::kGet, "GET", "*").error->status, 400);
    EXPECT_EQ(ContactRoutes().Match(HttpMethod::kGet, "GET", "").error->status, 400);
}

TEST(Router, StreamingRouteCarriesItsOwnBodyLimit) {
    Router router;
    router.AddStreaming(
        HttpMethod::kPost, "/v1/batches", [](HttpRequest&) -> SinkOrResponse { return EmptyResponse(204); }, 1 << 30);
    const RouteMatch match = router.Match(HttpMethod::kPost, "POST", "/v1/batches");
    ASSERT_NE(match.route, nullptr);
    EXPECT_TRUE(match.route->IsStreaming());
    EXPECT_EQ(match.route->options.max_body_bytes, std::uint64_t{1} << 30);
}

TEST(Router, MisregistrationThrowsAtStartUp) {
    Router router;
    router.Add(HttpMethod::kGet, "/a/{id}", Answer("a"));
    EXPECT_THROW(router.Add(HttpMethod::kGet, "/a/{id}", Answer("again")), std::invalid_argument);
    EXPECT_THROW(router.Add(HttpMethod::kPut, "/a/{other}", Answer("renamed")), std::invalid_argument);
    EXPECT_THROW(router.Add(HttpMethod::kGet, "no-slash", Answer("x")), std::invalid_argument);
    EXPECT_THROW(router.Add(HttpMethod::kGet, "/a//b", Answer("x")), std::invalid_argument);
    EXPECT_THROW(router.Add(HttpMethod::kGet, "/a/{}", Answer("x")), std::invalid_argument);
    EXPECT_THROW(router.Add(HttpMethod::kGet, "/a/x{y}", Answer("x")), std::invalid_argument);
    EXPECT_THROW(router.Add(HttpMethod::kGet, "/b", Handler{}), std::invalid_argument);
}

TEST(Router, MovedRouterKeepsRoutePointersValid) {
    Router router = ContactRoutes();
    const RouteMatch before = router.Match(HttpMethod::kGet, "GET", "/healthz");
    Router moved = std::move(router);
    EXPECT_EQ(moved.Match(HttpMethod::kGet, "GET", "/healthz").route, before.route);
}

TEST(PercentEncoding, DecodesEscapesAndPlusOnlyInQueries) {
    EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
    EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
    EXPECT_EQ(PercentDecode("%e2%82%AC", false), "€");
    EXPECT_EQ(PercentDecode("100%", false), std::nullopt);
    EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
    EXPECT_EQ(PercentDecode("%g0", false), std::nullopt);
}

TEST(PercentEncoding, QueryStringKeepsOrderAndEmptyValues) {
    const auto params = ParseQueryString("limit=5&status=OK&flag&x=&&q=a%26b%3Dc&q=2");
    ASSERT_TRUE(params.has_value());
    const std::vector<std::pair<std::string, std::string>> expected{{"limit", "5"}, {"status", "OK"}, {"flag", ""},
                                                                    {"x", ""},      {"q", "a&b=c"},   {"q", "2"}};
    EXPECT_EQ(*params, expected);
    EXPECT_FALSE(ParseQueryString("a=%zz").has_value());
    EXPECT_TRUE(ParseQueryString("")->empty());
}

TEST(HttpTypes, HeadersLookUpCaseInsensitively) {
    HttpHeaders headers;
    headers.Add("Content-Type", "application/json");
    headers.Add("X-Thing", "1");
    headers.Add("x-thing", "2");
    EXPECT_EQ(headers.Find("content-type"), "application/json");
    EXPECT_EQ(headers.Find("X-THING"), "1");
    headers.Set("X-Thing", "3");
    EXPECT_EQ(headers.fields().size(), 2u);
    EXPECT_EQ(headers.Find("x-thing"), "3");
    EXPECT_FALSE(headers.Has("Missing"));
}

TEST(HttpTypes, RequestQueryAndPathParamAccessors) {
    HttpRequest request;
    request.query = {{"limit", "5"}, {"limit", "9"}};
    request.path_params = {{"id", "abc"}};
    EXPECT_EQ(request.Query("limit"), "5");
    EXPECT_EQ(request.Query("after"), std::nullopt);
    EXPECT_EQ(request.PathParam("id"), "abc");
    EXPECT_EQ(request.PathParam("job"), "");
}

TEST(HttpTypes, ErrorBodyHasSpecShapeWithRemarksAndExtras) {
    const std::vector<engine::Remark> remarks{{"emails[1]", engine::Code::kInvalidFormat, "not an e-mail: \"x\""}};
    const HttpResponse response = ErrorResponse(422, "INVALID_FIELDS", "fields were refused", remarks,
                                                [](engine::JsonWriter& writer) { writer.Key("offset").Int(17); });
    EXPECT_EQ(response.status, 422);
    EXPECT_EQ(response.headers.Find("Content-Type"), "application/json");
    EXPECT_EQ(response.body,
              R"({"error":{"code":"INVALID_FIELDS","message":"fields were refused","remarks":[{"field":"emails[1]",)"
              R"("code":"INVALID_FORMAT","message":"not an e-mail: \"x\""}],"offset":17}})");
    EXPECT_EQ(ErrorBody("NOT_FOUND", "no"), R"({"error":{"code":"NOT_FOUND","message":"no","remarks":[]}})");
}

TEST(HttpTypes, MethodNamesRoundTrip) {
    for (HttpMethod method : {HttpMethod::kGet, HttpMethod::kHead, HttpMethod::kPost, HttpMethod::kPut,
                              HttpMethod::kPatch, HttpMethod::kDelete, HttpMethod::kOptions}) {
        EXPECT_EQ(ParseMethod(MethodName(method)), method);
    }
    EXPECT_EQ(ParseMethod("get"), HttpMethod::kOther);
}

}  // namespace
}  // namespace contactd::ingest
