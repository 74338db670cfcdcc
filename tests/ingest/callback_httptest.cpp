// Completion callbacks over loopback: the webhook client against local HTTP and HTTPS receivers (status,
// failures as values, deadline, abort, certificate and name checks, SNI), and the dispatcher against the
// test cluster: signed bodies, retries until a 2xx, the exact backoff schedule under a manual clock, giving
// up, shutdown mid-attempt, and two dispatchers sharing the work. Receivers bind 127.0.0.1 only.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <pqxx/pqxx>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "engine/date_time.hpp"
#include "engine/job_status.hpp"
#include "engine/workspace_admin.hpp"
#include "ingest/callback_dispatcher.hpp"
#include "ingest/metrics.hpp"
#include "ingest/webhook_client.hpp"
#include "storage/connection_pool.hpp"
#include "storage/database.hpp"
#include "storage/ids.hpp"
#include "storage/job_store.hpp"
#include "storage/sql_params.hpp"
#include "storage/workspace_store.hpp"
#include "tests/engine/json_text.hpp"
#include "tests/support/test_cluster.hpp"

namespace contactd::testing {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------------------
// A webhook receiver on 127.0.0.1 (ephemeral port), plain or TLS, answering each request with the status
// its script gives for the request's number (1-based); 0 means never answer.

struct Received {
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string sni;  // the TLS server name the client sent
    SteadyClock::time_point at;
};

class Receiver {
  public:
    using Script = std::function<int(int request_number)>;

    explicit Receiver(Script script, std::shared_ptr<ssl::context> tls = nullptr)
        : script_(std::move(script)), tls_(std::move(tls)), acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
        Accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~Receiver() {
        io_.stop();
        thread_.join();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::string Url(const std::string& target = "/hook") const {
        return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + target;
    }

    std::vector<Received> Requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    //! Waits until `n` requests have arrived; false on timeout.
    bool WaitFor(std::size_t n, std::chrono::milliseconds timeout = 15s) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
    }

  private:
    template <class Stream>
    class Session : public std::enable_shared_from_this<Session<Stream>> {
      public:
        template <class... Args>
        Session(Receiver& receiver, Args&&... args) : receiver_(receiver), stream_(std::forward<Args>(args)...) {}

        void Start() {
            if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
                Read();
            } else {
                stream_.async_handshake(ssl::stream_base::server,
                                        [self = this->shared_from_this()](const beast::error_code& ec) {
                                            if (!ec) self->Read();
                                        });
            }
        }

      private:
        void Read() {
            http::async_read(stream_, buffer_, request_,
                             [self = this->shared_from_this()](const beast::error_code& ec, std::size_t) {
                                 if (!ec) self->Answer();
                             });
        }

        void Answer() {
            Received received;
            received.target = std::string(request_.target());
            for (const auto& field : request_) {
                std::string name(field.name_string());
                for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                received.headers[name] = std::string(field.value());
            }
            received.body = request_.body();
            if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
                const char* sni = SSL_get_servername(stream_.native_handle(), TLSEXT_NAMETYPE_host_name);
                received.sni = sni ? sni : "";
            }
            received.at = SteadyClock::now();
            const int status = receiver_.Record(std::move(received));
            if (status == 0) {
                receiver_.held_.push_back(this->shared_from_this());  // never answered, kept open
                return;
            }
            response_.result(static_cast<unsigned>(status));
            if (status != 204 && status != 304) response_.body() = "{}";
            response_.keep_alive(false);
            response_.prepare_payload();
            http::async_write(
                stream_, response_, [self = this->shared_from_this()](const beast::error_code&, std::size_t) {
                    beast::error_code ignored;
                    beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
                });
        }

        Receiver& receiver_;
        Stream stream_;
        beast::flat_buffer buffer_;
        http::request<http::string_body> request_;
        http::response<http::string_body> response_;
    };

    void Accept() {
        acceptor_.async_accept([this](const beast::error_code& ec, tcp::socket socket) {
            if (ec) return;
            if (tls_) {
                std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), *tls_)
                    ->Start();
            } else {
                std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->Start();
            }
            Accept();
        });
    }

    int Record(Received received) {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(received));
        changed_.notify_all();
        return script_(static_cast<int>(requests_.size()));
    }

    Script script_;
    std::shared_ptr<ssl::context> tls_;
    net::io_context io_;  // first: destroyed last
    tcp::acceptor acceptor_;
    std::vector<std::shared_ptr<void>> held_;  // io thread only
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Received> requests_;
};

Receiver::Script Always(int status) {
    return [status](int) { return status; };
}
Receiver::Script FailFirst(int failures) {
    return [failures](int n) { return n <= failures ? 500 : 200; };
}

//! A port on 127.0.0.1 that nothing listens on (bound once, then closed).
std::uint16_t ClosedPort() {
    net::io_context io;
    tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

// ---------------------------------------------------------------------------------------------------------
// A self-signed certificate made in memory for the TLS receiver.

struct TestCertificate {
    std::string cert_pem;
    std::string key_pem;
};

std::string BioText(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(size));
    BIO_free(bio);
    return text;
}

TestCertificate MakeSelfSignedCertificate(const std::string& subject_alt_names) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("contactd test"), -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, subject_alt_names.c_str());
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
    X509_sign(cert, key, EVP_sha256());

    BIO* cert_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(cert_bio, cert);
    BIO* key_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    X509_free(cert);
    EVP_PKEY_free(key);
    return {BioText(cert_bio), BioText(key_bio)};
}

std::shared_ptr<ssl::context> ServerTls(const TestCertificate& certificate) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    context->use_certificate_chain(net::buffer(certificate.cert_pem));
    context->use_private_key(net::buffer(certificate.key_pem), ssl::context::pem);
    return context;
}

//! HMAC-SHA256 straight from OpenSSL, independent of the product's helper.
std::string ExpectedSignature(const std::string& secret, const std::string& body) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex = "sha256=";
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 15];
    }
    return hex;
}

// ---------------------------------------------------------------------------------------------------------
// The webhook client.

ingest::WebhookClientConfig ClientConfig(std::chrono::milliseconds timeout, std::string extra_ca_pem = "") {
    ingest::WebhookClientConfig config;
    config.timeout = timeout;
    config.extra_ca_pem = std::move(extra_ca_pem);
    return config;
}

TEST(WebhookUrlTest, SplitsHostPortTargetAndCredentials) {
    auto url = ingest::ParseWebhookUrl("HTTPS://user:p%40ss@hooks.example.com:8443/a/b?x=1#frag");
    ASSERT_TRUE(url.has_value());
    EXPECT_TRUE(url->tls);
    EXPECT_EQ(url->host, "hooks.example.com");
    EXPECT_EQ(url->port, "8443");
    EXPECT_EQ(url->host_header, "hooks.example.com:8443");
    EXPECT_EQ(url->target, "/a/b?x=1");
    EXPECT_EQ(url->userinfo, "user:p@ss");

    url = ingest::ParseWebhookUrl("http://example.com?x=1");
    ASSERT_TRUE(url.has_value());
    EXPECT_EQ(url->port, "80");
    EXPECT_EQ(url->target, "/?x=1");
    url = ingest::ParseWebhookUrl("https://[::1]/h");
    ASSERT_TRUE(url.has_value());
    EXPECT_EQ(url->host, "::1");
    EXPECT_EQ(url->port, "443");
    EXPECT_EQ(url->host_header, "[::1]");
}

TEST(WebhookUrlTest, RefusesWhatItCannotReach) {
    for (const char* bad : {"ftp://example.com/", "example.com/hook", "http://", "http://:80/", "http://h:0/",
                            "http://h:65536/", "http://h:/", "http://[::1/", "http://h/a b", "http://h/\r\nX: y"}) {
        EXPECT_FALSE(ingest::ParseWebhookUrl(bad).has_value()) << bad;
    }
}

TEST(WebhookClientTest, PostsTheBodyWithItsHeadersAndReturnsTheStatus) {
    Receiver receiver(Always(201));
    ingest::WebhookClient client(ClientConfig(5s));
    const auto result =
        client.Post(receiver.Url("/hook?x=1"), {{"Content-Type", "application/json"}, {"X-Test", "1"}}, R"({"a":1})");
    EXPECT_EQ(result.failure, ingest::WebhookFailure::kNone) << result.error;
    EXPECT_EQ(result.status, 201);
    EXPECT_TRUE(result.Delivered());
    const auto requests = receiver.Requests();
    ASSERT_EQ(requests.size(), 1U);
    EXPECT_EQ(requests[0].target, "/hook?x=1");
    EXPECT_EQ(requests[0].body, R"({"a":1})");
    EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
    EXPECT_EQ(requests[0].headers.at("x-test"), "1");
    EXPECT_EQ(requests[0].headers.at("host"), "127.0.0.1:" + std::to_string(receiver.port()));
}

TEST(WebhookClientTest, AnErrorStatusIsAResponseButNotADelivery) {
    Receiver receiver(Always(503));
    ingest::WebhookClient client(ClientConfig(5s));
    const auto result = client.Post(receiver.Url(), {}, "{}");
    EXPECT_EQ(result.failure, ingest::WebhookFailure::kNone) << result.error;
    EXPECT_EQ(result.status, 503);
    EXPECT_FALSE(result.Delivered());
}

TEST(WebhookClientTest, ARefusedConnectionIsAValueNotAnException) {
    ingest::WebhookClient client(ClientConfig(5s));
    const auto result = client.Post("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/hook", {}, "{}");
    EXPECT_EQ(result.failure, ingest::WebhookFailure::kConnect) << result.error;
    EXPECT_EQ(result.status, 0);
    EXPECT_FALSE(result.error.empty());
}

TEST(WebhookClientTest, ASilentReceiverTimesOutAtTheDeadline) {
    Receiver receiver(Always(0));
    ingest::WebhookClient client(ClientConfig(300ms));
    const auto started = SteadyClock::now();
    const auto result = client.Post(receiver.Url(), {}, "{}");
    const auto took = SteadyClock::now() - started;
    EXPECT_EQ(result.failure, ingest::WebhookFailure::kTimeout) << result.error;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 2s);
    EXPECT_EQ(receiver.Requests().size(), 1U) << "the request itself was sent";
}

TEST(WebhookClientTest, TheAbortCheckEndsAnAttemptEarly) {
    Receiver receiver(Always(0));
    ingest::WebhookClient client(ClientConfig(30s));
    const auto started = SteadyClock::now();
    const auto result = client.Post(receiver.Url(), {}, "{}", [&] { return SteadyClock::now() - started > 100ms; });
    EXPECT_EQ(result.failure, ingest::WebhookFailure::kAborted) << result.error;
    EXPECT_LT(SteadyClock::now() - started, 2s);
    // The client stays usable after an aborted exchange.
    Receiver answering(Always(200));
    EXPECT_TRUE(client.Post(answering.Url(), {}, "{}").Delivered());
}

TEST(WebhookClientTest, ABadUrlIsRefusedWithoutTrying) {
    ingest::WebhookClient client(ClientConfig(5s));
    EXPECT_EQ(client.Post("ftp://127.0.0.1/hook", {}, "{}").failure, ingest::WebhookFailure::kBadUrl);
}

TEST(WebhookClientTest, HttpsVerifiesTheCertificateAndSendsTheServerName) {
    const TestCertificate certificate = MakeSelfSignedCertificate("DNS:localhost,IP:127.0.0.1");
    Receiver receiver(Always(200), ServerTls(certificate));
    const std::string by_name = "https://localhost:" + std::to_string(receiver.port()) + "/hook";

    ingest::WebhookClient untrusting(ClientConfig(5s));
    const auto refused = untrusting.Post(by_name, {}, "{}");
    EXPECT_EQ(refused.failure, ingest::WebhookFailure::kTls) << refused.error;
    EXPECT_TRUE(receiver.Requests().empty()) << "nothing is sent to an unverified server";

    ingest::WebhookClient trusting(ClientConfig(5s, certificate.cert_pem));
    const auto result = trusting.Post(by_name, {}, R"({"tls":true})");
    EXPECT_TRUE(result.Delivered()) << result.error;
    ASSERT_EQ(receiver.Requests().size(), 1U);
    EXPECT_EQ(receiver.Requests()[0].sni, "localhost");
    EXPECT_EQ(receiver.Requests()[0].body, R"({"tls":true})");

    const auto by_address = trusting.Post(receiver.Url(), {}, "{}");
    EXPECT_TRUE(by_address.Delivered()) << by_address.error;
    ASSERT_EQ(receiver.Requests().size(), 2U);
    EXPECT_EQ(receiver.Requests()[1].sni, "") << "no SNI for an IP address (RFC 6066)";
}

TEST(WebhookClientTest, HttpsRefusesATrustedCertificateForAnotherName) {
    const TestCertificate certificate = MakeSelfSignedCertificate("DNS:other.example");
    Receiver receiver(Always(200), ServerTls(certificate));
    ingest::WebhookClient client(ClientConfig(5s, certificate.cert_pem));
    const auto result = client.Post("https://localhost:" + std::to_string(receiver.port()) + "/hook", {}, "{}");
    EXPECT_EQ(result.failure, ingest::WebhookFailure::kTls) << result.error;
    EXPECT_TRUE(receiver.Requests().empty());
}

// ---------------------------------------------------------------------------------------------------------
// The dispatcher, on a database of its own (finding due callbacks spans workspaces).

constexpr engine::Millis kT = 1767225600000;  // 2026-01-01T00:00:00Z, for tests on the manual clock

engine::Millis WallNow() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const std::string& CallbackDatabaseUrl() {
    static const std::string url = [] {
        storage::DatabaseConfig config;
        config.url = test_support::TestCluster::CreateDatabase("callback_http");
        return storage::OpenDatabase(config).Url();
    }();
    return url;
}

class CallbackDispatcherTest : public ::testing::Test {
  protected:
    void SetUp() override {
        {
            auto connection = pool_.Acquire();
            pqxx::work txn(*connection);
            txn.exec("DELETE FROM jobs");  // this database is ours alone
            txn.commit();
        }
        workspace_id_ = test_support::TestCluster::UniqueId("ws");
        auto edit = engine::NewWorkspaceSettings(JsonText::Parse(R"({"id": ")" + workspace_id_ + R"("})"));
        ASSERT_TRUE(edit.ok());
        auto created = workspaces_.Create(edit.settings, kT);
        ASSERT_TRUE(created.has_value());
        secret_ = created->first.webhook_secret;
    }

    //! A job that finished at `finished_at` with a callback to `url`, due at once (as the workers leave it).
    std::string FinishedJob(const std::string& url, engine::Millis finished_at = WallNow()) {
        const std::string job_id = storage::NewUuidV7();
        auto connection = pool_.Acquire();
        pqxx::work txn(*connection);
        storage::SqlParams params;
        params.Add(workspace_id_).Add(job_id).Add(url).Add(engine::FormatTimestamp(finished_at));
        params.Exec(txn,
                    "INSERT INTO jobs (workspace_id, id, seq, status, mode, semantics, invalid_fields, dry_run, "
                    "callback_url, request_sha256, total_items, chunk_count, created_at, started_at, finished_at, "
                    "callback_status, callback_attempts, callback_next_at) VALUES ($1, $2::uuid, "
                    "nextval('job_acceptance_seq'), 'completed', 'upsert', 'patch', 'drop', false, $3, "
                    "'\\x00'::bytea, 0, 0, $4::timestamptz - interval '1 second', $4::timestamptz - interval '1 "
                    "second', $4::timestamptz, 'pending', 0, $4::timestamptz)");
        txn.commit();
        return job_id;
    }

    struct Row {
        std::string status;
        int attempts = 0;
        std::optional<engine::Millis> next_at;
    };
    Row Read(const std::string& job_id) {
        auto connection = pool_.Acquire();
        pqxx::read_transaction txn(*connection);
        const auto row = txn.exec_params1(
            "SELECT callback_status, callback_attempts, (extract(epoch FROM callback_next_at) * 1000)::int8 "
            "FROM jobs WHERE workspace_id = $1 AND id = $2::uuid",
            workspace_id_, job_id);
        Row out{row[0].c_str(), row[1].as<int>(), std::nullopt};
        if (!row[2].is_null()) out.next_at = row[2].as<engine::Millis>();
        return out;
    }

    //! Waits until the job's callback is no longer pending; false on timeout.
    bool WaitUntilSettled(const std::string& job_id, std::chrono::milliseconds timeout = 20s) {
        const auto deadline = SteadyClock::now() + timeout;
        while (SteadyClock::now() < deadline) {
            if (Read(job_id).status != "pending") return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }

    ingest::CallbackDispatcherConfig Config() {
        ingest::CallbackDispatcherConfig config;
        config.database_url = CallbackDatabaseUrl();
        config.retry.initial_delay_ms = 50;
        config.retry.max_delay_ms = 200;
        config.poll_ms = 20;
        config.lease_ms = 10000;
        config.request_timeout = 2s;
        config.metrics = &metrics_;
        return config;
    }

    //! The dispatcher on a manual clock, with waits that have no jitter: 100, 200, 400, 400 ... ms.
    ingest::CallbackDispatcherConfig ManualConfig() {
        ingest::CallbackDispatcherConfig config = Config();
        config.retry.initial_delay_ms = 100;
        config.retry.max_delay_ms = 400;
        config.retry.jitter_percent = 0;
        config.clock = [this] { return now_.load(); };
        return config;
    }

    std::int64_t CounterValue(const std::string& name) { return metrics_.GetCounter(name, "").Value(); }

    storage::ConnectionPool pool_{CallbackDatabaseUrl(), 4};
    storage::WorkspaceStore workspaces_{pool_};
    storage::JobStore jobs_{pool_};
    ingest::Metrics metrics_;
    std::string workspace_id_;
    std::string secret_;
    std::atomic<engine::Millis> now_{kT};
};

TEST_F(CallbackDispatcherTest, DeliversTheSignedFinalStatusOnceTheReceiverAnswers2xx) {
    Receiver receiver(FailFirst(2));
    const std::string job = FinishedJob(receiver.Url("/hooks/contactd?tenant=a"));
    ingest::CallbackDispatcher dispatcher(Config());
    dispatcher.Start();
    ASSERT_TRUE(WaitUntilSettled(job));
    dispatcher.Stop();

    const Row row = Read(job);
    EXPECT_EQ(row.status, "delivered");
    EXPECT_EQ(row.attempts, 3);
    EXPECT_FALSE(row.next_at.has_value());
    const auto status = jobs_.Status(workspace_id_, job);
    ASSERT_TRUE(status.has_value());
    const std::string expected_body = engine::JobStatusJson(*status, kT);

    const auto requests = receiver.Requests();
    ASSERT_EQ(requests.size(), 3U) << "two 500s, then the 200 ends it";
    for (std::size_t i = 0; i < requests.size(); ++i) {
        SCOPED_TRACE("attempt " + std::to_string(i + 1));
        const Received& request = requests[i];
        EXPECT_EQ(request.target, "/hooks/contactd?tenant=a");
        EXPECT_EQ(request.body, expected_body);
        EXPECT_EQ(request.headers.at("content-type"), "application/json");
        EXPECT_EQ(request.headers.at("x-contactd-signature"), ExpectedSignature(secret_, request.body));
        EXPECT_EQ(request.headers.at("x-contactd-job-id"), job);
        EXPECT_EQ(request.headers.at("x-contactd-delivery-attempt"), std::to_string(i + 1));
    }
    EXPECT_NE(requests[0].headers.at("x-contactd-signature"), ExpectedSignature(secret_ + "x", requests[0].body));
    EXPECT_NE(expected_body.find(R"("status":"completed")"), std::string::npos) << expected_body;
    EXPECT_EQ(CounterValue("contactd_callbacks_delivered_total"), 1);
    EXPECT_EQ(CounterValue("contactd_callback_failures_total"), 2);
}

TEST_F(CallbackDispatcherTest, AReceiverThatNeverAnswers2xxIsRetriedWithGrowingWaitsThenAbandoned) {
    Receiver receiver(Always(500));
    const std::string job = FinishedJob(receiver.Url(), kT);
    ingest::CallbackDispatcherConfig config = ManualConfig();
    config.retry.max_attempts = 5;
    ingest::CallbackDispatcher dispatcher(config);

    // attempt n fails at `at`; the next is due `wait` later: 100, 200, 400, then capped at 400.
    const struct {
        engine::Millis at;
        engine::Millis wait;
    } schedule[] = {{kT, 100}, {kT + 100, 200}, {kT + 300, 400}, {kT + 700, 400}};
    int attempt = 0;
    for (const auto& step : schedule) {
        ++attempt;
        SCOPED_TRACE("attempt " + std::to_string(attempt));
        now_ = step.at - 1;
        EXPECT_EQ(dispatcher.RunOnce(), 0) << "not due yet";
        now_ = step.at;
        EXPECT_EQ(dispatcher.RunOnce(), 1);
        const Row row = Read(job);
        EXPECT_EQ(row.status, "pending");
        EXPECT_EQ(row.attempts, attempt);
        EXPECT_EQ(row.next_at, step.at + step.wait);
    }
    now_ = kT + 1100;
    EXPECT_EQ(dispatcher.RunOnce(), 1);
    const Row row = Read(job);
    EXPECT_EQ(row.status, "abandoned") << "the fifth attempt was the last";
    EXPECT_EQ(row.attempts, 5);
    EXPECT_FALSE(row.next_at.has_value());
    now_ = kT + 100000;
    EXPECT_EQ(dispatcher.RunOnce(), 0);

    const auto requests = receiver.Requests();
    ASSERT_EQ(requests.size(), 5U);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        EXPECT_EQ(requests[i].headers.at("x-contactd-delivery-attempt"), std::to_string(i + 1));
    }
    EXPECT_EQ(CounterValue("contactd_callback_failures_total"), 5);
    EXPECT_EQ(CounterValue("contactd_callbacks_abandoned_total"), 1);
    EXPECT_EQ(CounterValue("contactd_callbacks_delivered_total"), 0);
}

TEST_F(CallbackDispatcherTest, AFirstAttemptPastTheGiveUpTimeIsStillMadeButIsTheLast) {
    Receiver receiver(Always(500));
    const std::string job = FinishedJob(receiver.Url(), kT);
    ingest::CallbackDispatcherConfig config = ManualConfig();
    config.retry.give_up_after_ms = 1000;
    ingest::CallbackDispatcher dispatcher(config);
    now_ = kT + 1000;  // the node was down since the job finished
    EXPECT_EQ(dispatcher.RunOnce(), 1);
    EXPECT_EQ(receiver.Requests().size(), 1U);
    EXPECT_EQ(Read(job).status, "abandoned");
}

TEST_F(CallbackDispatcherTest, AnUnreachableReceiverIsRetriedAndTheStateSurvivesARestart) {
    const std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/hook";
    const std::string job = FinishedJob(url, kT);
    {
        ingest::CallbackDispatcher first(ManualConfig());
        EXPECT_EQ(first.RunOnce(), 1);
    }
    Row row = Read(job);
    EXPECT_EQ(row.status, "pending");
    EXPECT_EQ(row.attempts, 1);
    EXPECT_EQ(row.next_at, kT + 100);
    EXPECT_EQ(CounterValue("contactd_callback_failures_total"), 1);

    // A new process (or another node) carries on where the row says; the receiver is up by now.
    Receiver receiver(Always(204));
    {
        auto connection = pool_.Acquire();
        pqxx::work txn(*connection);
        txn.exec_params("UPDATE jobs SET callback_url = $3 WHERE workspace_id = $1 AND id = $2::uuid", workspace_id_,
                        job, receiver.Url());
        txn.commit();
    }
    ingest::CallbackDispatcher second(ManualConfig());
    now_ = kT + 100;
    EXPECT_EQ(second.RunOnce(), 1);
    ASSERT_EQ(receiver.Requests().size(), 1U);
    EXPECT_EQ(receiver.Requests()[0].headers.at("x-contactd-delivery-attempt"), "2");
    row = Read(job);
    EXPECT_EQ(row.status, "delivered");
    EXPECT_EQ(row.attempts, 2);
}

TEST_F(CallbackDispatcherTest, StopAbortsAnAttemptInFlightAndMakesItDueAgainAtOnce) {
    Receiver receiver(Always(0));  // takes the request and never answers
    const std::string job = FinishedJob(receiver.Url());
    ingest::CallbackDispatcherConfig config = Config();
    config.request_timeout = 8s;
    config.stop_grace = 200ms;
    ingest::CallbackDispatcher dispatcher(config);
    dispatcher.Start();
    ASSERT_TRUE(receiver.WaitFor(1));
    const auto stopping = SteadyClock::now();
    dispatcher.Stop();
    EXPECT_LT(SteadyClock::now() - stopping, 3s) << "Stop must not wait for the 8 s request timeout";

    const Row row = Read(job);
    EXPECT_EQ(row.status, "pending");
    EXPECT_EQ(row.attempts, 1);
    ASSERT_TRUE(row.next_at.has_value());
    EXPECT_LE(*row.next_at, WallNow()) << "due again at once, not after the lease";
    EXPECT_EQ(CounterValue("contactd_callback_failures_total"), 0) << "not the receiver's failure";
}

TEST_F(CallbackDispatcherTest, TwoDispatchersSendEachCallbackOnce) {
    Receiver receiver(Always(200));
    std::set<std::string> jobs;
    for (int i = 0; i < 12; ++i) jobs.insert(FinishedJob(receiver.Url()));
    ingest::CallbackDispatcherConfig config = Config();
    config.batch_size = 4;
    ingest::CallbackDispatcher one(config);
    ingest::CallbackDispatcher two(config);
    one.Start();
    two.Start();
    for (const std::string& job : jobs) ASSERT_TRUE(WaitUntilSettled(job)) << job;
    one.Stop();
    two.Stop();

    std::multiset<std::string> delivered;
    for (const Received& request : receiver.Requests()) delivered.insert(request.headers.at("x-contactd-job-id"));
    EXPECT_EQ(delivered.size(), jobs.size()) << "no callback was sent twice";
    EXPECT_EQ(std::set<std::string>(delivered.begin(), delivered.end()), jobs);
    for (const std::string& job : jobs) EXPECT_EQ(Read(job).attempts, 1);
}

}  // namespace
}  // namespace contactd::testing
