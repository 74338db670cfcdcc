#include "bench/e2e/api_client.hpp"

#include <simdjson.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "bench/e2e/interrupt.hpp"

namespace contactd::bench::e2e {

namespace {

constexpr std::size_t kPieceBytes = 1 << 20;
constexpr const char* kBatchTarget = "/v1/batches";

[[noreturn]] void Unexpected(const std::string& what, const ingest::ClientResponse& response) {
    throw std::runtime_error(what + ": HTTP " + std::to_string(response.status) + " " + response.body.substr(0, 500));
}

simdjson::dom::element Parse(simdjson::dom::parser& parser, const std::string& body, const std::string& what) {
    simdjson::dom::element root;
    if (parser.parse(body).get(root) != simdjson::SUCCESS) {
        throw std::runtime_error(what + ": the answer is not JSON: " + body.substr(0, 200));
    }
    return root;
}

std::int64_t IntOr0(simdjson::dom::element object, const char* key) {
    std::int64_t value = 0;
    return object[key].get(value) == simdjson::SUCCESS ? value : 0;
}

JobStatus ParseStatus(const std::string& body) {
    simdjson::dom::parser parser;
    const simdjson::dom::element root = Parse(parser, body, "job status");
    JobStatus status;
    std::string_view text;
    if (root["job_id"].get(text) == simdjson::SUCCESS) status.job_id = text;
    if (root["status"].get(text) == simdjson::SUCCESS) status.state = text;
    if (status.job_id.empty() || status.state.empty()) throw std::runtime_error("not a job status: " + body);
    simdjson::dom::element counts;
    if (root["counts"].get(counts) == simdjson::SUCCESS) {
        status.counts.total = IntOr0(counts, "total");
        status.counts.processed = IntOr0(counts, "processed");
        status.counts.ok = IntOr0(counts, "ok");
        status.counts.ignored = IntOr0(counts, "ignored");
        status.counts.created = IntOr0(counts, "created");
        status.counts.updated = IntOr0(counts, "updated");
        status.counts.unchanged = IntOr0(counts, "unchanged");
        status.counts.with_remarks = IntOr0(counts, "with_remarks");
    }
    simdjson::dom::object by_code;
    if (root["ignored_by_code"].get(by_code) == simdjson::SUCCESS) {
        for (const auto field : by_code) {
            std::int64_t count = 0;
            if (field.value.get(count) == simdjson::SUCCESS) status.ignored_by_code[std::string(field.key)] = count;
        }
    }
    return status;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

ApiClient::ApiClient(const std::string& server_url) : http_(server_url) {}

ingest::ClientResponse ApiClient::Call(const std::string& method, const std::string& target, const std::string& api_key,
                                       const std::string& body) {
    std::map<std::string, std::string> headers{{"Authorization", "Bearer " + api_key}};
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return http_.Request(method, target, headers, body);
}

std::string ApiClient::CreateWorkspace(const std::string& admin_token, const std::string& settings_json) {
    const ingest::ClientResponse response = Call("POST", "/v1/admin/workspaces", admin_token, settings_json);
    if (response.status != 201) Unexpected("creating workspace " + settings_json, response);
    simdjson::dom::parser parser;
    std::string_view key;
    if (Parse(parser, response.body, "new workspace")["api_key"].get(key) != simdjson::SUCCESS) {
        throw std::runtime_error("the new workspace's answer has no api_key: " + response.body);
    }
    return std::string(key);
}

Acceptance ApiClient::SubmitFile(const std::string& api_key, const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot read " + path.string());
    Acceptance acceptance;
    const std::map<std::string, std::string> headers{{"Authorization", "Bearer " + api_key},
                                                     {"Content-Type", "application/x-ndjson"}};
    const auto start = std::chrono::steady_clock::now();
    const ingest::ClientResponse response = http_.Stream("POST", kBatchTarget, headers, [&](std::string& piece) {
        ThrowIfInterrupted();
        piece.resize(kPieceBytes);
        file.read(piece.data(), static_cast<std::streamsize>(piece.size()));
        piece.resize(static_cast<std::size_t>(file.gcount()));
        acceptance.bytes += piece.size();
        if (file.bad()) throw std::runtime_error("cannot read " + path.string());
        return !file.eof();
    });
    acceptance.seconds = SecondsSince(start);
    if (response.status != 202) Unexpected("submitting " + path.string(), response);
    acceptance.status = ParseStatus(response.body);
    return acceptance;
}

Acceptance ApiClient::SubmitLines(const std::string& api_key, const std::vector<std::string>& lines) {
    std::string body;
    for (const std::string& line : lines) body.append(line).push_back('\n');
    const std::map<std::string, std::string> headers{{"Authorization", "Bearer " + api_key},
                                                     {"Content-Type", "application/x-ndjson"}};
    Acceptance acceptance;
    acceptance.bytes = body.size();
    const auto start = std::chrono::steady_clock::now();
    const ingest::ClientResponse response = http_.Request("POST", kBatchTarget, headers, body);
    acceptance.seconds = SecondsSince(start);
    if (response.status != 202) Unexpected("submitting a batch of " + std::to_string(lines.size()), response);
    acceptance.status = ParseStatus(response.body);
    return acceptance;
}

JobStatus ApiClient::Status(const std::string& api_key, const std::string& job_id) {
    const ingest::ClientResponse response = Call("GET", std::string(kBatchTarget) + "/" + job_id, api_key);
    if (response.status != 200) Unexpected("status of job " + job_id, response);
    return ParseStatus(response.body);
}

JobStatus ApiClient::Cancel(const std::string& api_key, const std::string& job_id) {
    const ingest::ClientResponse response = Call("DELETE", std::string(kBatchTarget) + "/" + job_id, api_key);
    if (response.status == 409) return Status(api_key, job_id);  // JOB_FINISHED: it won the race
    if (response.status != 202) Unexpected("cancelling job " + job_id, response);
    return ParseStatus(response.body);
}

ContactView ApiClient::Contact(const std::string& api_key, const std::string& contact_id) {
    const ingest::ClientResponse response = Call("GET", "/v1/contacts/" + contact_id, api_key);
    if (response.status != 200) Unexpected("reading contact " + contact_id, response);
    simdjson::dom::parser parser;
    const simdjson::dom::element root = Parse(parser, response.body, "contact");
    ContactView contact;
    std::string_view text;
    if (root["title"].get(text) == simdjson::SUCCESS) contact.title = text;
    simdjson::dom::array tags;
    if (root["tags"].get(tags) == simdjson::SUCCESS) {
        for (const auto tag : tags) {
            if (tag.get(text) == simdjson::SUCCESS) contact.tags.emplace_back(text);
        }
    }
    return contact;
}

}  // namespace contactd::bench::e2e
