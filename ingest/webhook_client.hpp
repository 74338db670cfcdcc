#pragma once
// An outgoing webhook POST (batch-job completion callbacks, SPEC §6): one request on a fresh connection to
// an http:// or https:// URL, under one total deadline, answering with the response status or the reason
// there is none. Network and TLS failures are values, never exceptions. HTTPS verifies the server's
// certificate chain against the system's trust store and its name against the URL's host, and sends SNI.
// Redirects are not followed (a 3xx is just a status). Blocking: meant for a delivery thread of its own.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace contactd::ingest {

//! A webhook URL taken apart.
struct WebhookUrl {
    bool tls = false;
    std::string host;         // name or IP address (IPv6 without brackets)
    std::string port;         // "80" or "443" when the URL gives none
    std::string host_header;  // the Host header: the host, with the port when it is not the default
    std::string target;       // path and query ("/" when the path is empty); the fragment is dropped
    std::string userinfo;     // "user:password", percent-decoded, sent as Basic authorization; usually empty
};

//! Splits an absolute http(s) URL (as engine::CheckHttpUrl accepts); nothing when it is not one.
std::optional<WebhookUrl> ParseWebhookUrl(std::string_view url);

//! Why no response status arrived.
enum class WebhookFailure {
    kNone,     // a response arrived (its status may still be an error)
    kBadUrl,   // not an http(s) URL this client can reach: trying again will not help
    kResolve,  // the host name did not resolve
    kConnect,  // no TCP connection
    kTls,      // TLS handshake failed: certificate not trusted, wrong name, protocol error
    kSend,     // the connection broke while the request was sent
    kReceive,  // the connection broke (or the response was malformed) before a status line and headers
    kTimeout,  // the total deadline passed
    kAborted,  // the caller's abort check said stop
};

//! "none", "bad_url", "resolve", "connect", "tls", "send", "receive", "timeout", "aborted".
std::string_view WebhookFailureName(WebhookFailure failure);

//! What became of one POST.
struct WebhookResult {
    int status = 0;  // the HTTP status when a response arrived, else 0
    WebhookFailure failure = WebhookFailure::kNone;
    std::string error;  // the failure in words, for logs

    //! A 2xx arrived.
    bool Delivered() const { return failure == WebhookFailure::kNone && status >= 200 && status <= 299; }
};

struct WebhookClientConfig {
    //! Everything from name resolution to the response headers must fit in this.
    std::chrono::milliseconds timeout{10000};
    //! PEM certificates trusted in addition to the system store (a private CA; tests).
    std::string extra_ca_pem;
    std::string user_agent = "contactd-webhook/1";
};

//! Sends webhook POSTs, one at a time, from the calling thread. Holds the TLS context (the trust store is
//! loaded once) and a private io_context.
class WebhookClient {
  public:
    //! Throws std::invalid_argument when `extra_ca_pem` holds no usable certificate.
    explicit WebhookClient(WebhookClientConfig config = {});
    ~WebhookClient();
    WebhookClient(const WebhookClient&) = delete;
    WebhookClient& operator=(const WebhookClient&) = delete;

    using Headers = std::vector<std::pair<std::string, std::string>>;

    //! POSTs `body` with `headers` (Host, User-Agent, Content-Length and `Connection: close` are added) and
    //! waits for the response's status line and headers; the response body is not read. `abort`, when
    //! given, is polled every few tens of milliseconds and ends the attempt early (kAborted).
    WebhookResult Post(const std::string& url, const Headers& headers, const std::string& body,
                       const std::function<bool()>& abort = {});

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace contactd::ingest
