// The single-contact API, workspace routes, auth and rate limits, over loopback against a real server
// and a real PostgreSQL.
#include <pqxx/pqxx>

#include "storage/migrations.hpp"
#include "tests/ingest/api_fixture.hpp"
#include "tests/support/newer_schema.hpp"

namespace contactd::testing {
namespace {

class ApiTest : public ::testing::Test {
  protected:
    void SetUp() override {
        key_ = NewWorkspace("", &workspace_id_);
        client_ = std::make_unique<ApiClient>(ApiClient::WithKey(key_));
    }
    ApiClient& api() { return *client_; }

    //! Creates a contact and returns its id.
    std::string Create(const std::string& body) {
        const Reply reply = api().Post("/v1/contacts", body);
        EXPECT_EQ(reply.status, 201) << reply.body;
        return reply.Text("id");
    }

    std::string key_;
    std::string workspace_id_;
    std::unique_ptr<ApiClient> client_;
};

// --- create, read, update ---------------------------------------------------------------------------

TEST_F(ApiTest, CreateAnswers201WithTheContactChangedFieldsAndRemarks) {
    const Reply reply = api().Post("/v1/contacts", R"({"phone": "(650) 253-0000", "first_name": "Ann",
        "emails": ["Ann@Example.com"], "priority": 9, "nickname": "A"})");
    ASSERT_EQ(reply.status, 201) << reply.body;
    EXPECT_EQ(reply.Text("phone"), "+16502530000");
    EXPECT_EQ(reply.Text("email"), "ann@example.com");
    EXPECT_EQ(reply.Text("action"), "created");
    EXPECT_EQ(reply.At("version").AsInt64(), 1);
    EXPECT_EQ(reply.Header("etag"), "\"1\"");
    ASSERT_EQ(reply.At("remarks").elements().size(), 2u);
    EXPECT_EQ(reply.At("remarks").elements()[0].Find("field")->text(), "priority");
    EXPECT_EQ(reply.At("remarks").elements()[0].Find("code")->text(), "INVALID_ENUM");
    EXPECT_EQ(reply.At("remarks").elements()[1].Find("code")->text(), "UNKNOWN_FIELD");
    EXPECT_FALSE(reply.At("changed_fields").elements().empty());
}

TEST_F(ApiTest, CreatingAnExistingIdentifierIs409UnlessUpsert) {
    Create(R"({"phone": "+16502530000"})");
    const Reply again = api().Post("/v1/contacts", R"({"phone": "+16502530000", "title": "CEO"})");
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.Text("error.code"), "ALREADY_EXISTS");
    const Reply upsert = api().Post("/v1/contacts?mode=upsert", R"({"phone": "+16502530000", "title": "CEO"})");
    EXPECT_EQ(upsert.status, 200) << upsert.body;
    EXPECT_EQ(upsert.Text("action"), "updated");
    EXPECT_EQ(upsert.Text("title"), "CEO");
}

TEST_F(ApiTest, GetFindsByIdAliasAndExternalReference) {
    const std::string id = Create(R"({"phone": "+16502530000", "external_reference_id": "crm/7 x"})");
    EXPECT_EQ(api().Get("/v1/contacts/" + id).Text("id"), id);
    EXPECT_EQ(api().Get("/v1/contacts/crm%2F7%20x").Text("id"), id);
    const Reply missing = api().Get("/v1/contacts/00000000-0000-4000-8000-000000000000");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.Text("error.code"), "CONTACT_NOT_FOUND");
}

TEST_F(ApiTest, AContactOfAnotherWorkspaceIsIndistinguishableFromAMissingOne) {
    const std::string id = Create(R"({"phone": "+16502530000"})");
    ApiClient other = ApiClient::WithKey(NewWorkspace());
    EXPECT_EQ(other.Get("/v1/contacts/" + id).status, 404);
    EXPECT_EQ(other.Patch("/v1/contacts/" + id, R"({"title": "x"})").status, 404);
}

TEST_F(ApiTest, PatchMergesCustomFieldsAndPutReplacesThem) {
    const std::string id =
        Create(R"({"phone": "+16502530000", "custom_fields": {"profile_field_1": "a", "profile_field_2": "b"}})");
    const Reply patched = api().Patch("/v1/contacts/" + id, R"({"custom_fields": {"profile_field_3": "c"}})");
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.At("custom_fields.profile_field_1").text(), "a");
    EXPECT_EQ(patched.At("custom_fields.profile_field_3").text(), "c");
    const Reply put = api().Put("/v1/contacts/" + id, R"({"custom_fields": {"profile_field_16": 500}})");
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_TRUE(put.At("custom_fields.profile_field_1").IsNull());
    EXPECT_EQ(put.At("custom_fields.profile_field_16").text(), "500");
    EXPECT_EQ(put.At("version").AsInt64(), 3);
}

TEST_F(ApiTest, TagsAddDoesNotWipeTheList) {
    const std::string id = Create(R"({"phone": "+16502530000", "tags": ["a", "b"]})");
    const Reply reply = api().Patch("/v1/contacts/" + id, R"({"tags": {"add": ["c"], "remove": ["a"]}})");
    ASSERT_EQ(reply.status, 200);
    ASSERT_EQ(reply.At("tags").elements().size(), 2u);
    EXPECT_EQ(reply.At("tags").elements()[1].text(), "c");
}

TEST_F(ApiTest, UnchangedWriteKeepsVersionAndSaysSo) {
    const std::string id = Create(R"({"phone": "+16502530000", "title": "CEO"})");
    const Reply reply = api().Patch("/v1/contacts/" + id, R"({"title": "CEO"})");
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.Text("action"), "unchanged");
    EXPECT_EQ(reply.At("version").AsInt64(), 1);
}

TEST_F(ApiTest, IfMatchMismatchIs412AndMatchWrites) {
    const std::string id = Create(R"({"phone": "+16502530000"})");
    const Reply stale = api().Send("PATCH", "/v1/contacts/" + id, R"({"title": "x"})", {{"If-Match", "\"7\""}});
    EXPECT_EQ(stale.status, 412);
    EXPECT_EQ(stale.Text("error.code"), "VERSION_CONFLICT");
    EXPECT_EQ(api().Send("PATCH", "/v1/contacts/" + id, R"({"title": "x"})", {{"If-Match", "\"1\""}}).status, 200);
    EXPECT_EQ(api().Send("PATCH", "/v1/contacts/" + id, R"({"title": "y"})", {{"If-Match", "bogus"}}).status, 400);
}

TEST_F(ApiTest, RejectModeRefusesTheWholeWriteWith422AndTheRemarks) {
    const std::string id = Create(R"({"phone": "+16502530000"})");
    const Reply reply =
        api().Patch("/v1/contacts/" + id + "?invalid_fields=reject", R"({"title": "x", "priority": 0})");
    EXPECT_EQ(reply.status, 422);
    EXPECT_EQ(reply.Text("error.code"), "INVALID_FIELDS");
    ASSERT_EQ(reply.At("error.remarks").elements().size(), 1u);
    EXPECT_TRUE(api().Get("/v1/contacts/" + id).At("title").IsNull()) << "nothing was written";
}

TEST_F(ApiTest, DuplicateValueIs409AndNamesTheHolder) {
    const std::string holder = Create(R"({"phone": "+16502530000", "email": "ann@x.io"})");
    const Reply reply = api().Post("/v1/contacts", R"({"phone": "+16502530001", "email": "ANN@x.io"})");
    EXPECT_EQ(reply.status, 409);
    EXPECT_EQ(reply.Text("error.code"), "DUPLICATE_VALUE");
    EXPECT_EQ(reply.Text("error.conflicting_contact_id"), holder);
    EXPECT_NE(reply.Text("error.message").find(holder), std::string::npos);
}

TEST_F(ApiTest, ChangingTheIdentifierIs403) {
    const std::string id = Create(R"({"phone": "+16502530000"})");
    const Reply reply = api().Patch("/v1/contacts/" + id, R"({"phones": ["+16502530001"]})");
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(reply.Text("error.code"), "IDENTIFIER_IMMUTABLE");
}

TEST_F(ApiTest, EveryFieldDroppedIs422NoValidFields) {
    const std::string id = Create(R"({"phone": "+16502530000"})");
    const Reply reply = api().Patch("/v1/contacts/" + id, R"({"priority": "high"})");
    EXPECT_EQ(reply.status, 422);
    EXPECT_EQ(reply.Text("error.code"), "NO_VALID_FIELDS");
}

// --- merge and search ---------------------------------------------------------------------------------

TEST_F(ApiTest, MergeMakesTheSourceAnAliasOfTheTarget) {
    const std::string target = Create(R"({"phone": "+16502530000", "tags": ["a"]})");
    const std::string source = Create(R"({"phone": "+16502530001", "tags": ["b"], "title": "CTO"})");
    const Reply merged = api().Post("/v1/contacts/" + source + "/merge", R"({"into": ")" + target + R"("})");
    ASSERT_EQ(merged.status, 200) << merged.body;
    EXPECT_EQ(merged.Text("id"), target);
    EXPECT_EQ(merged.Text("title"), "CTO");
    EXPECT_EQ(api().Get("/v1/contacts/" + source).Text("id"), target);
    const Reply self = api().Post("/v1/contacts/" + source + "/merge", R"({"into": ")" + target + R"("})");
    EXPECT_EQ(self.status, 422);
    EXPECT_EQ(self.Text("error.code"), "INVALID_MERGE");
    EXPECT_EQ(api().Post("/v1/contacts/" + target + "/merge", R"({"to": "x"})").status, 422);
}

TEST_F(ApiTest, SearchIsAPostWithFiltersAndATotalCount) {
    Create(R"({"phone": "+16502530000", "status": "Won", "tags": ["vip"]})");
    Create(R"({"phone": "+16502530001", "status": "New"})");
    const Reply reply = api().Post("/v1/contacts/search?limit=10", R"({"status": "Won"})");
    ASSERT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.At("total_count").AsInt64(), 1);
    EXPECT_EQ(reply.At("items").elements().size(), 1u);
    EXPECT_EQ(api().Post("/v1/contacts/search", "").At("total_count").AsInt64(), 2) << "an empty body is no filter";
    const Reply get = api().Get("/v1/contacts/search");
    EXPECT_EQ(get.status, 405);
    EXPECT_NE(get.Text("error.message").find("POST"), std::string::npos);
    const Reply bad_limit = api().Post("/v1/contacts/search?limit=101", "{}");
    EXPECT_EQ(bad_limit.status, 400);
    EXPECT_EQ(bad_limit.Text("error.message"), "Limit should be between 1 and 100");
}

// --- workspace routes ---------------------------------------------------------------------------------

TEST_F(ApiTest, WorkspaceFieldsAndLeadStagesAreReadable) {
    EXPECT_EQ(api().Get("/v1/workspace").Text("id"), workspace_id_);
    EXPECT_TRUE(api().Get("/v1/workspace").At("webhook_secret").IsNull());
    const Reply fields = api().Get("/v1/fields");
    EXPECT_EQ(fields.status, 200);
    EXPECT_EQ(fields.At("custom_fields").elements().size(), 30u);
    EXPECT_EQ(api().Get("/v1/lead-stages").At("lead_stages").elements()[0].text(), "New");
}

// --- auth, scopes, suspension, rate limits -------------------------------------------------------------

TEST_F(ApiTest, MissingUnknownAndRevokedKeysAre401) {
    EXPECT_EQ(ApiClient().Get("/v1/workspace").status, 401);
    EXPECT_EQ(ApiClient::WithKey("cdk_nope").Get("/v1/workspace").status, 401);
    EXPECT_EQ(ApiClient(Headers{{"X-Api-Key", key_}}).Get("/v1/workspace").status, 200);
    const Reply created =
        ApiClient::Admin().Post("/v1/admin/workspaces/" + workspace_id_ + "/keys", R"({"scope": "write"})");
    ASSERT_EQ(created.status, 201);
    ApiClient second = ApiClient::WithKey(created.Text("api_key"));
    EXPECT_EQ(second.Get("/v1/workspace").status, 200);
    EXPECT_EQ(ApiClient::Admin()
                  .Send("DELETE", "/v1/admin/workspaces/" + workspace_id_ + "/keys/" + created.Text("key_id"))
                  .status,
              204);
    EXPECT_EQ(second.Get("/v1/workspace").status, 401) << "revocation is immediate";
}

TEST_F(ApiTest, AReadKeyCannotWrite) {
    const Reply created =
        ApiClient::Admin().Post("/v1/admin/workspaces/" + workspace_id_ + "/keys", R"({"scope": "read"})");
    ApiClient reader = ApiClient::WithKey(created.Text("api_key"));
    EXPECT_EQ(reader.Get("/v1/workspace").status, 200);
    const Reply write = reader.Post("/v1/contacts", R"({"phone": "+16502530000"})");
    EXPECT_EQ(write.status, 403);
    EXPECT_EQ(write.Text("error.code"), "FORBIDDEN");
}

TEST_F(ApiTest, ASuspendedWorkspaceCanNeitherReadNorWrite) {
    ASSERT_EQ(ApiClient::Admin().Patch("/v1/admin/workspaces/" + workspace_id_, R"({"suspended": true})").status, 200);
    EXPECT_EQ(api().Get("/v1/workspace").status, 403);
    EXPECT_EQ(api().Post("/v1/contacts", R"({"phone": "+16502530000"})").status, 403);
    ASSERT_EQ(ApiClient::Admin().Patch("/v1/admin/workspaces/" + workspace_id_, R"({"suspended": false})").status, 200);
    EXPECT_EQ(api().Get("/v1/workspace").status, 200);
}

TEST_F(ApiTest, OverTheBudgetIs429WithRetryAfterAndHeadersOnEveryResponse) {
    ApiClient limited = ApiClient::WithKey(NewWorkspace(R"(, "requests_per_minute": 3)"));
    const Reply first = limited.Get("/v1/workspace");
    EXPECT_EQ(first.Header("x-ratelimit-limit"), "3");
    EXPECT_EQ(first.Header("x-ratelimit-remaining"), "2");
    EXPECT_FALSE(first.Header("x-ratelimit-reset").empty());
    limited.Get("/v1/workspace");
    EXPECT_EQ(limited.Get("/v1/contacts/x").Header("x-ratelimit-remaining"), "0") << "404s count too";
    const Reply refused = limited.Get("/v1/workspace");
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(refused.Text("error.code"), "RATE_LIMITED");
    EXPECT_EQ(refused.Header("retry-after"), "20");
    EXPECT_EQ(refused.Header("x-ratelimit-remaining"), "0");
}

// --- bad input ------------------------------------------------------------------------------------------

TEST_F(ApiTest, MalformedJsonIs400WithTheOffset) {
    const Reply reply = api().Post("/v1/contacts", R"({"phone": "+16502530000",})");
    EXPECT_EQ(reply.status, 400);
    EXPECT_EQ(reply.Text("error.code"), "INVALID_JSON");
    EXPECT_TRUE(reply.At("error.offset").IsNumber());
}

TEST_F(ApiTest, InvalidUtf8Is400) {
    const Reply reply = api().Post("/v1/contacts", "{\"first_name\": \"\xC3\x28\"}");
    EXPECT_EQ(reply.status, 400);
    EXPECT_EQ(reply.Text("error.code"), "INVALID_JSON");
}

TEST_F(ApiTest, ABodyThatIsNotJsonIs415) {
    const Reply reply =
        api().Send("POST", "/v1/contacts", "phone=1", {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(reply.status, 415);
}

TEST_F(ApiTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
    EXPECT_EQ(api().Get("/v1/nothing").status, 404);
    const Reply reply = api().Send("DELETE", "/v1/contacts/abc");
    EXPECT_EQ(reply.status, 405);
    EXPECT_NE(reply.Header("allow").find("PATCH"), std::string::npos);
}

TEST_F(ApiTest, EveryResponseHasARequestId) {
    EXPECT_FALSE(api().Get("/v1/workspace").Header("x-request-id").empty());
    EXPECT_FALSE(ApiClient().Get("/nope").Header("x-request-id").empty());
}

TEST_F(ApiTest, ControlCharactersAndEmojiRoundTripThroughTheJsonOutput) {
    const std::string id = Create(
        R"({"phone": "+16502530000", "first_name": "Zoë 👩‍🔬 \"q\"", "custom_fields": {"profile_field_1": "a\tb\nc\u2028"}})");
    const Reply reply = api().Get("/v1/contacts/" + id);
    EXPECT_EQ(reply.Text("first_name"), "Zoë 👩‍🔬 \"q\"");
    EXPECT_EQ(reply.At("custom_fields.profile_field_1").text(), "a\tb\nc\xE2\x80\xA8");
    EXPECT_NE(reply.body.find("\\u2028"), std::string::npos);
}

// --- health ---------------------------------------------------------------------------------------------

TEST_F(ApiTest, HealthReadinessAndMetrics) {
    EXPECT_EQ(ApiClient().Get("/healthz").status, 200);
    const Reply ready = ApiClient().Get("/readyz");
    EXPECT_EQ(ready.status, 200) << ready.body;
    const ingest::ClientResponse metrics = ingest::HttpClient(ApiServer::Get().BaseUrl()).Request("GET", "/metrics");
    EXPECT_EQ(metrics.status, 200);
}

//! An API server of its own over a database of its own, for tests that change the database under the server
//! (the shared one must stay as every other test expects it). No batch workers.
class OwnDatabaseServer {
  public:
    explicit OwnDatabaseServer(std::string_view name)
        : url_(Migrated(test_support::TestCluster::CreateDatabase(name))),
          pool_(url_, 2),
          workspaces_(pool_),
          contacts_(pool_),
          jobs_(pool_),
          services_{pool_, workspaces_, contacts_, limiter_, metrics_, kTestAdminToken, ingest::SystemNowMillis,
                    jobs_, url_,        [] {}},
          server_(Config(), ingest::BuildApiRouter(services_)) {
        server_.Start();
    }
    ~OwnDatabaseServer() { server_.Stop(); }

    const std::string& url() const { return url_; }
    ingest::HttpClient Client() const {
        return ingest::HttpClient("http://127.0.0.1:" + std::to_string(server_.port()));
    }
    //! Creates workspace `id` through the admin API and returns its write key ("" after a failed expectation).
    std::string CreateWorkspace(const std::string& id) const {
        const ingest::ClientResponse created = Client().Request(
            "POST", "/v1/admin/workspaces",
            {{"Authorization", std::string("Bearer ") + kTestAdminToken}, {"Content-Type", "application/json"}},
            R"({"id": ")" + id + R"(", "default_country": "US"})");
        EXPECT_EQ(created.status, 201) << created.body;
        auto parsed = ingest::ParseJsonInput(created.body);
        const engine::Json* key = parsed.ok() ? parsed.value().Find("api_key") : nullptr;
        return key != nullptr ? key->text() : std::string();
    }

  private:
    static std::string Migrated(std::string url) {
        pqxx::connection connection(url);
        storage::ApplyMigrations(connection);
        return url;
    }
    static ingest::HttpServerConfig Config() {
        ingest::HttpServerConfig config;
        config.port = 0;
        return config;
    }

    std::string url_;
    storage::ConnectionPool pool_;
    storage::WorkspaceStore workspaces_;
    storage::ContactStore contacts_;
    storage::JobStore jobs_;
    ingest::RateLimiter limiter_;
    ingest::Metrics metrics_;
    ingest::ApiServices services_;
    ingest::HttpServer server_;
};

// A node on a database that a newer build has migrated is not ready (a load balancer then sends it nothing),
// and says why.
TEST(Readiness, ANodeIsNotReadyOnADatabaseThatANewerBuildMigrated) {
    OwnDatabaseServer server("ready_newer");
    ingest::HttpClient client = server.Client();
    EXPECT_EQ(client.Request("GET", "/readyz").status, 200);

    const test_support::NewerSchema newer_schema(server.url());
    const ingest::ClientResponse ready = client.Request("GET", "/readyz");
    EXPECT_EQ(ready.status, 503);
    EXPECT_NE(ready.body.find("newer than this build"), std::string::npos) << ready.body;
}

// The database refuses new connections while a batch is posted (a restart, a failover): the client gets 503
// with Retry-After and is told that nothing was stored, rather than a bare 500 that leaves it guessing; nothing
// is staged; once the database is back, the same request is accepted.
TEST(DatabaseAway, ABatchPostedWhileTheDatabaseRefusesConnectionsIs503AndCanBeSentAgain) {
    OwnDatabaseServer server("batch_away");
    ingest::HttpClient client = server.Client();
    const std::string key = server.CreateWorkspace("away");
    ASSERT_FALSE(key.empty());
    const Headers batch_headers{{"Authorization", "Bearer " + key}, {"Content-Type", "application/x-ndjson"}};
    const std::string body = "{\"phone\": \"+16505550101\"}\n{\"phone\": \"+16505550102\"}\n";

    pqxx::connection observer(server.url());  // opened before the database starts refusing connections
    pqxx::connection cluster(test_support::TestCluster::Url());
    const std::string database = pqxx::nontransaction(observer).exec1("SELECT current_database()")[0].c_str();
    const auto allow_connections = [&](bool allow) {
        pqxx::nontransaction txn(cluster);
        txn.exec0("ALTER DATABASE " + txn.quote_name(database) + " ALLOW_CONNECTIONS " + (allow ? "true" : "false"));
    };
    allow_connections(false);
    const ingest::ClientResponse refused = client.Request("POST", "/v1/batches", batch_headers, body);
    allow_connections(true);

    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(refused.headers.count("retry-after") ? refused.headers.at("retry-after") : "", "1");
    EXPECT_NE(refused.body.find("safe to send it again"), std::string::npos) << refused.body;
    EXPECT_EQ(pqxx::nontransaction(observer).exec1("SELECT count(*) FROM jobs")[0].as<int>(), 0);
    EXPECT_EQ(pqxx::nontransaction(observer).exec1("SELECT count(*) FROM job_chunks")[0].as<int>(), 0);

    const ingest::ClientResponse accepted = client.Request("POST", "/v1/batches", batch_headers, body);
    EXPECT_EQ(accepted.status, 202) << accepted.body;
}

// The batch is committed, but reading its status back fails (here a column that read needs is renamed while
// the body is still arriving, after the workspace's key was checked): the client still gets 202 and the job it
// was accepted as, never an error that would invite a resend and so a second job.
TEST(DatabaseAway, AnAcceptedBatchWhoseStatusCannotBeReadBackIsStill202) {
    OwnDatabaseServer server("accepted_unread");
    ingest::HttpClient client = server.Client();
    const std::string key = server.CreateWorkspace("unread");
    ASSERT_FALSE(key.empty());
    const Headers headers{{"Authorization", "Bearer " + key}, {"Content-Type", "application/x-ndjson"}};

    pqxx::connection admin(server.url());
    bool renamed = false;
    int pieces = 0;
    const ingest::ClientResponse accepted = client.Stream("POST", "/v1/batches", headers, [&](std::string& piece) {
        if (pieces++ == 0) {
            piece = "{\"phone\": \"+16505550101\"}\n";
            return true;
        }
        pqxx::nontransaction(admin).exec0("ALTER TABLE jobs RENAME COLUMN finished_at TO finished_away");
        renamed = true;
        piece = "{\"phone\": \"+16505550102\"}\n";
        return false;
    });
    if (renamed) pqxx::nontransaction(admin).exec0("ALTER TABLE jobs RENAME COLUMN finished_away TO finished_at");

    ASSERT_TRUE(renamed);
    EXPECT_EQ(accepted.status, 202) << accepted.body;
    auto status = ingest::ParseJsonInput(accepted.body);
    ASSERT_TRUE(status.ok()) << accepted.body;
    const engine::Json* job_id = status.value().Find("job_id");
    ASSERT_NE(job_id, nullptr) << accepted.body;
    EXPECT_EQ(status.value().Find("status")->text(), "queued");
    EXPECT_EQ(status.value().Find("counts")->Find("total")->AsInt64(), 2);
    pqxx::nontransaction check(admin);
    EXPECT_EQ(check.exec_params1("SELECT count(*) FROM jobs WHERE id = $1::uuid", job_id->text())[0].as<int>(), 1);
    EXPECT_EQ(check.exec1("SELECT count(*) FROM jobs")[0].as<int>(), 1);
}

}  // namespace
}  // namespace contactd::testing
