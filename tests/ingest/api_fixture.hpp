#pragma once
// A real contactd API server on 127.0.0.1 (ephemeral port) over the test cluster, and a client for it.
// HTTP tests talk to it over loopback exactly as users do.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "engine/json.hpp"
#include "ingest/api_guard.hpp"
#include "ingest/api_routes.hpp"
#include "ingest/http_client.hpp"
#include "ingest/http_server.hpp"
#include "ingest/job_workers.hpp"
#include "ingest/json_input.hpp"
#include "tests/support/test_cluster.hpp"

namespace contactd::testing {

inline constexpr const char* kTestAdminToken = "test-admin-token";

//! The server and its services, started once per test binary on first use.
class ApiServer {
  public:
    static ApiServer& Get() {
        static ApiServer server;
        return server;
    }
    std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
    ingest::ApiServices& services() { return services_; }

  private:
    ApiServer()
        : pool_(test_support::TestCluster::Url(), 16),
          workspaces_(pool_),
          contacts_(pool_),
          jobs_(pool_),
          workers_(WorkersConfig(), ingest::JsonItemParser()),
          services_{pool_,
                    workspaces_,
                    contacts_,
                    limiter_,
                    metrics_,
                    kTestAdminToken,
                    ingest::SystemNowMillis,
                    jobs_,
                    test_support::TestCluster::Url(),
                    [this] { workers_.Notify(); }} {
        ingest::HttpServerConfig config;
        config.port = 0;
        config.max_body_bytes = 1 << 20;
        config.header_timeout = std::chrono::milliseconds(1000);
        config.body_timeout = std::chrono::milliseconds(1000);
        server_ = std::make_unique<ingest::HttpServer>(config, ingest::BuildApiRouter(services_));
        server_->Start();
        workers_.Start();
        // Stop serving before the cluster goes, so nothing retries a vanished database at exit.
        test_support::TestCluster::BeforeTearDown([this] {
            server_->Stop();
            workers_.Stop();
        });
    }

    static ingest::JobWorkersConfig WorkersConfig() {
        ingest::JobWorkersConfig config;
        config.database_url = test_support::TestCluster::Url();
        config.workers = 2;
        config.node_id = test_support::TestCluster::UniqueId("node");
        config.poll_ms = 200;
        return config;
    }

    storage::ConnectionPool pool_;
    storage::WorkspaceStore workspaces_;
    storage::ContactStore contacts_;
    storage::JobStore jobs_;
    ingest::JobWorkers workers_;
    ingest::RateLimiter limiter_;
    ingest::Metrics metrics_;
    ingest::ApiServices services_;
    std::unique_ptr<ingest::HttpServer> server_;
};

//! A response with its body parsed (when it is JSON).
struct Reply {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;
    engine::Json json;

    //! The member at a dotted path ("error.code"), or null.
    const engine::Json& At(std::string_view path) const {
        static const engine::Json kNull;
        const engine::Json* at = &json;
        while (!path.empty()) {
            const auto dot = path.find('.');
            const std::string_view name = path.substr(0, dot);
            at = at->IsObject() ? at->Find(name) : nullptr;
            if (at == nullptr) return kNull;
            path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
        }
        return *at;
    }
    std::string Text(std::string_view path) const { return At(path).IsString() ? At(path).text() : std::string(); }
    std::string Header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

using Headers = std::map<std::string, std::string>;

//! One client connection, with the headers of a workspace key or the admin token.
class ApiClient {
  public:
    explicit ApiClient(Headers headers = Headers())
        : client_(ApiServer::Get().BaseUrl()), headers_(std::move(headers)) {}

    static ApiClient WithKey(const std::string& key) { return ApiClient(Headers{{"Authorization", "Bearer " + key}}); }
    static ApiClient Admin() { return ApiClient(Headers{{"Authorization", std::string("Bearer ") + kTestAdminToken}}); }

    Reply Send(const std::string& method, const std::string& target, const std::string& body = "",
               std::map<std::string, std::string> extra = {}) {
        std::map<std::string, std::string> headers = headers_;
        if (!body.empty()) headers["Content-Type"] = "application/json";
        for (auto& [name, value] : extra) headers[name] = value;
        const ingest::ClientResponse response = client_.Request(method, target, headers, body);
        Reply reply{response.status, response.headers, response.body, {}};
        if (!response.body.empty()) {
            auto parsed = ingest::ParseJsonInput(response.body);
            if (parsed.ok()) reply.json = std::move(parsed).value();
        }
        return reply;
    }
    Reply Get(const std::string& target) { return Send("GET", target); }
    Reply Post(const std::string& target, const std::string& body) { return Send("POST", target, body); }
    Reply Patch(const std::string& target, const std::string& body) { return Send("PATCH", target, body); }
    Reply Put(const std::string& target, const std::string& body) { return Send("PUT", target, body); }

  private:
    ingest::HttpClient client_;
    std::map<std::string, std::string> headers_;
};

//! Creates a workspace through the admin API; returns its write key.
inline std::string NewWorkspace(const std::string& extra_settings = "", std::string* id_out = nullptr) {
    const std::string id = test_support::TestCluster::UniqueId("api");
    const Reply reply = ApiClient::Admin().Post(
        "/v1/admin/workspaces", R"({"id": ")" + id + R"(", "default_country": "US")" + extra_settings + "}");
    EXPECT_EQ(reply.status, 201) << reply.body;
    if (id_out != nullptr) *id_out = id;
    return reply.Text("api_key");
}

}  // namespace contactd::testing
