#include "ingest/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <limits>
#include <stdexcept>

namespace contactd::ingest {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct HttpClient::Impl {
    std::string host;
    std::string port;
    boost::asio::io_context io;
    beast::tcp_stream stream{io};
    beast::flat_buffer buffer;
    bool connected = false;

    void Connect() {
        if (connected) return;
        tcp::resolver resolver(io);
        stream.connect(resolver.resolve(host, port));
        connected = true;
    }

    void Reset() {
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        stream.close();
        buffer.clear();
        connected = false;
    }

    static ClientResponse Convert(http::response<http::string_body>& response) {
        ClientResponse out;
        out.status = static_cast<int>(response.result_int());
        for (const auto& field : response) {
            std::string name(field.name_string());
            for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            out.headers[name] = std::string(field.value());
        }
        out.body = std::move(response.body());
        return out;
    }

    template <class Request>
    void Prepare(Request& request, const std::map<std::string, std::string>& headers) {
        request.set(http::field::host, host + ":" + port);
        request.set(http::field::user_agent, "contactd-cli");
        for (const auto& [name, value] : headers) request.set(name, value);
    }

    ClientResponse ReadResponse() {
        http::response_parser<http::string_body> parser;
        parser.body_limit(std::uint64_t{1} << 34);
        http::read(stream, buffer, parser);
        auto response = parser.release();
        if (!response.keep_alive()) Reset();
        return Convert(response);
    }
};

HttpClient::HttpClient(const std::string& base_url) : impl_(std::make_unique<Impl>()) {
    constexpr std::string_view kScheme = "http://";
    if (base_url.rfind(kScheme, 0) != 0) throw std::invalid_argument("the server URL must start with http://");
    std::string authority = base_url.substr(kScheme.size());
    authority = authority.substr(0, authority.find('/'));
    const auto colon = authority.rfind(':');
    impl_->host = colon == std::string::npos ? authority : authority.substr(0, colon);
    impl_->port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
}

HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

ClientResponse HttpClient::Request(const std::string& method, const std::string& target,
                                   const std::map<std::string, std::string>& headers, const std::string& body) {
    impl_->Connect();
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    impl_->Prepare(request, headers);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        request.body() = body;
        request.prepare_payload();
    }
    http::write(impl_->stream, request);
    return impl_->ReadResponse();
}

ClientResponse HttpClient::Stream(const std::string& method, const std::string& target,
                                  const std::map<std::string, std::string>& headers,
                                  const std::function<bool(std::string& piece)>& next) {
    impl_->Connect();
    http::request<http::empty_body> request{http::string_to_verb(method), target, 11};
    impl_->Prepare(request, headers);
    request.chunked(true);
    http::request_serializer<http::empty_body> serializer{request};
    try {
        http::write_header(impl_->stream, serializer);
        std::string piece;
        bool more = true;
        while (more) {
            piece.clear();
            more = next(piece);
            if (!piece.empty()) {
                boost::asio::write(impl_->stream, http::make_chunk(boost::asio::buffer(piece)));
            }
        }
        boost::asio::write(impl_->stream, http::make_chunk_last());
    } catch (const boost::system::system_error& write_error) {
        // A server that refuses an upload early (401, 413, ...) answers and stops reading, so the next
        // write fails: its answer is what the caller needs, if it arrived.
        try {
            return impl_->ReadResponse();
        } catch (const std::exception&) {
            throw write_error;
        }
    }
    return impl_->ReadResponse();
}

int HttpClient::Download(const std::string& target, const std::map<std::string, std::string>& headers,
                         const std::function<void(const std::string& piece)>& on_data) {
    impl_->Connect();
    http::request<http::empty_body> request{http::verb::get, target, 11};
    impl_->Prepare(request, headers);
    http::write(impl_->stream, request);
    http::response_parser<http::buffer_body> parser;
    // Boost 1.74: body_limit(boost::none) refuses any response with a Content-Length; the maximum does not.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    http::read_header(impl_->stream, impl_->buffer, parser);
    char data[64 * 1024];
    while (!parser.is_done()) {
        parser.get().body().data = data;
        parser.get().body().size = sizeof data;
        beast::error_code error;
        http::read(impl_->stream, impl_->buffer, parser, error);
        if (error && error != http::error::need_buffer) throw beast::system_error(error);
        const std::size_t produced = sizeof data - parser.get().body().size;
        if (produced > 0) on_data(std::string(data, produced));
    }
    const int status = static_cast<int>(parser.get().result_int());
    if (!parser.get().keep_alive()) impl_->Reset();
    return status;
}

}  // namespace contactd::ingest
