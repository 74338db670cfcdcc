#pragma once
// The benchmark's view of contactd's HTTP API (SPEC §5, §6): create workspaces, submit NDJSON batches as
// streams, read and cancel jobs, read contacts. One connection per client; blocking; an unexpected answer
// throws std::runtime_error with the status and the body.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/job_status.hpp"
#include "ingest/http_client.hpp"

namespace contactd::bench::e2e {

//! A job's status document (SPEC §9), the parts the benchmark reads.
struct JobStatus {
    std::string job_id;
    std::string state;  // queued, running, completed, cancelled, failed
    engine::JobCounts counts;
    std::map<std::string, std::int64_t> ignored_by_code;

    bool Finished() const {
        const auto parsed = engine::ParseJobState(state);
        return parsed && engine::IsFinished(*parsed);
    }
};

//! An accepted batch: the 202 document, the bytes sent and the seconds from the first byte to the 202.
struct Acceptance {
    JobStatus status;
    std::uint64_t bytes = 0;
    double seconds = 0;
};

//! The fields of a contact the correctness check compares.
struct ContactView {
    std::string title;
    std::vector<std::string> tags;
};

class ApiClient {
  public:
    //! `server_url` is `http://127.0.0.1:<port>`.
    explicit ApiClient(const std::string& server_url);

    //! POST /v1/admin/workspaces with `settings_json`; returns the new workspace's write key.
    std::string CreateWorkspace(const std::string& admin_token, const std::string& settings_json);
    //! POST /v1/batches with the file as an NDJSON body, streamed in 1 MiB chunks (never held whole).
    Acceptance SubmitFile(const std::string& api_key, const std::filesystem::path& path);
    //! POST /v1/batches with these NDJSON lines.
    Acceptance SubmitLines(const std::string& api_key, const std::vector<std::string>& lines);
    //! GET /v1/batches/{job}.
    JobStatus Status(const std::string& api_key, const std::string& job_id);
    //! DELETE /v1/batches/{job}: cancels what is not applied yet (a job that already ended is left as it is).
    JobStatus Cancel(const std::string& api_key, const std::string& job_id);
    //! GET /v1/contacts/{id}.
    ContactView Contact(const std::string& api_key, const std::string& contact_id);

  private:
    ingest::ClientResponse Call(const std::string& method, const std::string& target, const std::string& api_key,
                                const std::string& body = "");

    ingest::HttpClient http_;
};

}  // namespace contactd::bench::e2e
