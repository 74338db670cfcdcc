#include <iostream>

#include "app/commands.hpp"
#include "app/options.hpp"
#include "engine/json_writer.hpp"
#include "ingest/http_client.hpp"

namespace contactd::app {

namespace {

constexpr const char* kAdminUsage = R"(usage: contactd admin <command> [arguments] [--server URL] [--admin-token TOKEN]

  create-workspace ID [--json BODY]          create a workspace; prints it with its first write key
  get-workspace ID                           show a workspace's settings (with its webhook secret)
  update-workspace ID --json BODY            change settings, e.g. --json '{"suspended": true}'
  create-key ID [--scope read|write]         create an API key (shown once)
  revoke-key ID KEY_ID                       revoke a key at once

BODY takes the members of POST /v1/admin/workspaces: name, identifier_field, default_country, date_format,
lead_stages, custom_fields, requests_per_minute, items_per_second, suspended.
The server is CONTACTD_URL (default http://127.0.0.1:8080); the token is CONTACTD_ADMIN_TOKEN or the
admin_token file in CONTACTD_DATA_DIR (default ./.contactd).
)";

// Inserts `"id": <id>` first into a JSON object body.
std::string WithId(const std::string& id, const std::string& body) {
    std::string out = "{";
    engine::AppendJsonString(out, "id");
    out += ":";
    engine::AppendJsonString(out, id);
    const auto open = body.find('{');
    if (open == std::string::npos) return out + "}";
    const std::string rest = body.substr(open + 1);
    const bool empty = rest.find_first_not_of(" \t\r\n}") == std::string::npos;
    return out + (empty ? "}" : "," + rest);
}

}  // namespace

int RunAdmin(const std::vector<std::string>& args) {
    const Options options(args);
    const auto& positional = options.positional();
    if (positional.empty()) {
        std::cerr << kAdminUsage;
        return 2;
    }
    const std::string data_dir = options.Get("data-dir", "CONTACTD_DATA_DIR", ".contactd");
    const auto token = AdminToken(options, data_dir, /*create=*/false);
    if (!token) {
        std::cerr << "no admin token: set CONTACTD_ADMIN_TOKEN or run from the server's folder\n";
        return 2;
    }
    ingest::HttpClient client(options.Get("server", "CONTACTD_URL", "http://127.0.0.1:8080"));
    const std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + *token},
                                                        {"Content-Type", "application/json"}};
    const std::string& command = positional[0];
    const auto arg = [&](std::size_t i) -> const std::string& {
        static const std::string kNone;
        return i < positional.size() ? positional[i] : kNone;
    };
    ingest::ClientResponse response;
    if (command == "create-workspace" && positional.size() == 2) {
        response =
            client.Request("POST", "/v1/admin/workspaces", headers, WithId(arg(1), options.Get("json", nullptr, "{}")));
    } else if (command == "get-workspace" && positional.size() == 2) {
        response = client.Request("GET", "/v1/admin/workspaces/" + arg(1), headers);
    } else if (command == "update-workspace" && positional.size() == 2 && options.Get("json")) {
        response = client.Request("PATCH", "/v1/admin/workspaces/" + arg(1), headers, *options.Get("json"));
    } else if (command == "create-key" && positional.size() == 2) {
        std::string body = "{\"scope\":";
        engine::AppendJsonString(body, options.Get("scope", nullptr, "write"));
        response = client.Request("POST", "/v1/admin/workspaces/" + arg(1) + "/keys", headers, body + "}");
    } else if (command == "revoke-key" && positional.size() == 3) {
        response = client.Request("DELETE", "/v1/admin/workspaces/" + arg(1) + "/keys/" + arg(2), headers);
    } else {
        std::cerr << kAdminUsage;
        return 2;
    }
    if (!response.body.empty()) std::cout << response.body << "\n";
    if (response.status >= 300) {
        std::cerr << "HTTP " << response.status << "\n";
        return 1;
    }
    if (command == "revoke-key") std::cout << "revoked\n";
    return 0;
}

}  // namespace contactd::app
