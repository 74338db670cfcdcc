#include "ingest/webhook_client.hpp"

#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <type_traits>

#include "ingest/percent_encoding.hpp"

namespace contactd::ingest {

namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// How often a request in flight looks at the caller's abort check.
constexpr std::chrono::milliseconds kAbortPollInterval{25};

std::string AsciiLower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool IsPort(std::string_view port) {
    if (port.empty() || port.size() > 5) return false;
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value >= 1 && value <= 65535;
}

std::string Base64(std::string_view data) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < data.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, data.size() - i);
        std::uint32_t group = 0;
        for (std::size_t k = 0; k < 3; ++k) {
            group = group << 8 | (k < n ? static_cast<unsigned char>(data[i + k]) : 0U);
        }
        for (std::size_t k = 0; k < 4; ++k) out += k <= n ? kAlphabet[(group >> (18 - 6 * k)) & 63U] : '=';
    }
    return out;
}

bool IsIpAddress(const std::string& host) {
    boost::system::error_code ec;
    net::ip::make_address(host, ec);
    return !ec;
}

//! One request's whole exchange on its own connection: resolve, connect, (TLS handshake,) send, read the
//! response header. Owned by its pending handlers, so a late handler after an abort finds it alive.
template <class Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
  public:
    static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

    template <class... StreamArgs>
    Exchange(net::io_context& io, WebhookUrl url, http::request<http::string_body> request, StreamArgs&&... args)
        : url_(std::move(url)),
          request_(std::move(request)),
          resolver_(io),
          stream_(std::forward<StreamArgs>(args)...) {
        parser_.header_limit(16 * 1024);
    }

    //! Sets up TLS (SNI, chain and name verification); false with the failure recorded when it cannot.
    bool PrepareTls() {
        if constexpr (kTls) {
            // RFC 6066 forbids IP literals in SNI; the certificate is then checked against the address.
            if (!IsIpAddress(url_.host) && !SSL_set_tlsext_host_name(stream_.native_handle(), url_.host.c_str())) {
                Finish(WebhookFailure::kTls, "cannot set the TLS server name " + url_.host);
                return false;
            }
            stream_.set_verify_mode(ssl::verify_peer);
            stream_.set_verify_callback(ssl::host_name_verification(url_.host));
        }
        return true;
    }

    void Start() {
        resolver_.async_resolve(url_.host, url_.port,
                                [self = this->shared_from_this()](const beast::error_code& ec,
                                                                  const tcp::resolver::results_type& endpoints) {
                                    self->OnResolved(ec, endpoints);
                                });
    }

    //! Ends the exchange now (deadline, abort): the pending operations complete with errors and are ignored.
    void Finish(WebhookFailure failure, std::string error) {
        if (done_) return;
        done_ = true;
        result_.failure = failure;
        result_.error = std::move(error);
        beast::error_code ignored;
        resolver_.cancel();
        beast::get_lowest_layer(stream_).socket().close(ignored);
    }

    bool done() const { return done_; }
    const WebhookResult& result() const { return result_; }

  private:
    bool Failed(const beast::error_code& ec, WebhookFailure failure, std::string_view step) {
        if (done_) return true;
        if (!ec) return false;
        Finish(failure, std::string(step) + ": " + ec.message());
        return true;
    }

    void OnResolved(const beast::error_code& ec, const tcp::resolver::results_type& endpoints) {
        if (Failed(ec, WebhookFailure::kResolve, "resolving " + url_.host)) return;
        beast::get_lowest_layer(stream_).async_connect(
            endpoints, [self = this->shared_from_this()](const beast::error_code& error, const tcp::endpoint&) {
                self->OnConnected(error);
            });
    }

    void OnConnected(const beast::error_code& ec) {
        if (Failed(ec, WebhookFailure::kConnect, "connecting to " + url_.host_header)) return;
        if constexpr (kTls) {
            stream_.async_handshake(ssl::stream_base::client,
                                    [self = this->shared_from_this()](const beast::error_code& error) {
                                        if (self->Failed(error, WebhookFailure::kTls, "TLS handshake")) return;
                                        self->Send();
                                    });
        } else {
            Send();
        }
    }

    void Send() {
        http::async_write(stream_, request_,
                          [self = this->shared_from_this()](const beast::error_code& ec, std::size_t) {
                              if (self->Failed(ec, WebhookFailure::kSend, "sending the request")) return;
                              self->Receive();
                          });
    }

    void Receive() {
        http::async_read_header(stream_, buffer_, parser_,
                                [self = this->shared_from_this()](const beast::error_code& ec, std::size_t) {
                                    if (self->Failed(ec, WebhookFailure::kReceive, "reading the response")) return;
                                    self->result_.status = static_cast<int>(self->parser_.get().result_int());
                                    self->Finish(WebhookFailure::kNone, "");
                                });
    }

    WebhookUrl url_;
    http::request<http::string_body> request_;
    tcp::resolver resolver_;
    Stream stream_;
    beast::flat_buffer buffer_;
    http::response_parser<http::empty_body> parser_;
    WebhookResult result_;
    bool done_ = false;
};

}  // namespace

std::string_view WebhookFailureName(WebhookFailure failure) {
    switch (failure) {
        case WebhookFailure::kNone:
            return "none";
        case WebhookFailure::kBadUrl:
            return "bad_url";
        case WebhookFailure::kResolve:
            return "resolve";
        case WebhookFailure::kConnect:
            return "connect";
        case WebhookFailure::kTls:
            return "tls";
        case WebhookFailure::kSend:
            return "send";
        case WebhookFailure::kReceive:
            return "receive";
        case WebhookFailure::kTimeout:
            return "timeout";
        case WebhookFailure::kAborted:
            return "aborted";
    }
    return "none";
}

std::optional<WebhookUrl> ParseWebhookUrl(std::string_view url) {
    // No white space or control characters anywhere: they could never reach the wire intact (or safely).
    if (std::any_of(url.begin(), url.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
        return std::nullopt;
    }
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    WebhookUrl out;
    const std::string scheme = AsciiLower(url.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https") return std::nullopt;
    out.tls = scheme == "https";

    std::string_view rest = url.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find('#'));
    const std::size_t authority_end = std::min(rest.find_first_of("/?"), rest.size());
    std::string_view authority = rest.substr(0, authority_end);
    out.target = std::string(rest.substr(authority_end));
    if (out.target.empty() || out.target.front() == '?') out.target.insert(0, "/");

    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
        auto userinfo = PercentDecode(authority.substr(0, at), false);
        if (!userinfo) return std::nullopt;
        out.userinfo = std::move(*userinfo);
        authority = authority.substr(at + 1);
    }
    out.host_header = std::string(authority);

    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return std::nullopt;
        if (!after.empty()) port = after.substr(1);
        if (port.empty() && !after.empty()) return std::nullopt;
    } else {
        const std::size_t colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return std::nullopt;
        }
    }
    if (out.host.empty()) return std::nullopt;
    if (!port.empty() && !IsPort(port)) return std::nullopt;
    out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
    return out;
}

struct WebhookClient::Impl {
    explicit Impl(WebhookClientConfig config_in) : config(std::move(config_in)), tls(ssl::context::tls_client) {
        tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
        boost::system::error_code ec;
        // A system without a trust store still works for servers the extra certificates vouch for.
        tls.set_default_verify_paths(ec);
        if (!config.extra_ca_pem.empty()) {
            tls.add_certificate_authority(net::buffer(config.extra_ca_pem), ec);
            if (ec) throw std::invalid_argument("webhook CA certificates are not usable PEM: " + ec.message());
        }
    }

    template <class Stream, class... StreamArgs>
    WebhookResult Run(WebhookUrl url, http::request<http::string_body> request, const std::function<bool()>& abort,
                      StreamArgs&&... args) {
        // A handler left over from an earlier aborted exchange runs here and finds its exchange finished.
        io.restart();
        auto exchange = std::make_shared<Exchange<Stream>>(io, std::move(url), std::move(request),
                                                           std::forward<StreamArgs>(args)...);
        if (!exchange->PrepareTls()) return exchange->result();
        exchange->Start();
        const Clock::time_point deadline = Clock::now() + config.timeout;
        while (!exchange->done()) {
            const Clock::time_point now = Clock::now();
            if (now >= deadline) {
                exchange->Finish(WebhookFailure::kTimeout,
                                 "no response within " + std::to_string(config.timeout.count()) + " ms");
            } else if (abort && abort()) {
                exchange->Finish(WebhookFailure::kAborted, "aborted");
            } else {
                io.run_for(std::min<Clock::duration>(deadline - now, kAbortPollInterval));
                if (io.stopped()) io.restart();
            }
        }
        if (io.stopped()) io.restart();
        io.poll();  // lets the cancelled operations of a finished exchange complete now, where it is cheap
        return exchange->result();
    }

    WebhookClientConfig config;
    ssl::context tls;
    net::io_context io;
};

WebhookClient::WebhookClient(WebhookClientConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

WebhookClient::~WebhookClient() = default;

WebhookResult WebhookClient::Post(const std::string& url, const Headers& headers, const std::string& body,
                                  const std::function<bool()>& abort) {
    std::optional<WebhookUrl> parsed = ParseWebhookUrl(url);
    if (!parsed) return {0, WebhookFailure::kBadUrl, "not an http or https URL this client can reach"};

    http::request<http::string_body> request{http::verb::post, parsed->target, 11};
    request.set(http::field::host, parsed->host_header);
    request.set(http::field::user_agent, impl_->config.user_agent);
    if (!parsed->userinfo.empty()) request.set(http::field::authorization, "Basic " + Base64(parsed->userinfo));
    for (const auto& [name, value] : headers) request.set(name, value);
    request.keep_alive(false);
    request.body() = body;
    request.prepare_payload();

    if (parsed->tls) {
        return impl_->Run<beast::ssl_stream<beast::tcp_stream>>(std::move(*parsed), std::move(request), abort,
                                                                impl_->io, impl_->tls);
    }
    return impl_->Run<beast::tcp_stream>(std::move(*parsed), std::move(request), abort, impl_->io);
}

}  // namespace contactd::ingest
