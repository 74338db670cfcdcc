#include "ingest/failure_responses.hpp"

#include <gtest/gtest.h>
#include <pqxx/except>

#include <stdexcept>

#include "storage/connection_pool.hpp"

namespace contactd::ingest {
namespace {

HttpRequest Request() {
    HttpRequest request;
    request.request_id = "req-1";
    return request;
}

// Failures that leave nothing a resend could duplicate are 503 with Retry-After, naming the request.
TEST(DatabaseUnavailableResponse, ALostOrRefusedConnectionOrAnExhaustedPoolIs503) {
    const HttpRequest request = Request();
    for (const auto& failure : std::initializer_list<std::exception_ptr>{
             std::make_exception_ptr(pqxx::broken_connection("server closed the connection")),
             std::make_exception_ptr(pqxx::sql_error("terminating connection", "", "57P01")),
             std::make_exception_ptr(storage::ConnectionPoolExhausted("every connection is leased"))}) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& error) {
            SCOPED_TRACE(error.what());
            const auto response = DatabaseUnavailableResponse(request, error);
            ASSERT_TRUE(response.has_value());
            EXPECT_EQ(response->status, 503);
            EXPECT_EQ(response->headers.Find("Retry-After").value_or(""), "1");
            EXPECT_NE(response->body.find("SERVICE_UNAVAILABLE"), std::string::npos) << response->body;
            EXPECT_NE(response->body.find("req-1"), std::string::npos) << response->body;
        }
    }
}

// A commit in doubt, a failure after the request's change was committed, and anything that is not a passing
// database failure are left to the server's 500.
TEST(DatabaseUnavailableResponse, InDoubtCommittedOrOtherFailuresAreLeftTo500) {
    const HttpRequest request = Request();
    EXPECT_FALSE(DatabaseUnavailableResponse(request, pqxx::in_doubt_error("commit outcome unknown")));
    EXPECT_FALSE(DatabaseUnavailableResponse(request, pqxx::sql_error("syntax", "", "42601")));
    EXPECT_FALSE(DatabaseUnavailableResponse(request, std::runtime_error("a bug")));
    HttpRequest committed = Request();
    committed.change_committed = true;
    EXPECT_FALSE(DatabaseUnavailableResponse(committed, pqxx::broken_connection("lost while reading back")));
}

}  // namespace
}  // namespace contactd::ingest
