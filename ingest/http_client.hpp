#pragma once
// A small blocking HTTP/1.1 client for the command line (admin, submit, results) and the HTTP tests: one connection,
// keep-alive, plain TCP to a contactd server.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace contactd::ingest {

struct ClientResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
};

class HttpClient {
  public:
    //! `base_url` is `http://host:port` (a trailing path is ignored). Throws std::invalid_argument otherwise.
    explicit HttpClient(const std::string& base_url);
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;

    //! Sends one request and reads the whole response. Throws std::system_error on network failure.
    ClientResponse Request(const std::string& method, const std::string& target,
                           const std::map<std::string, std::string>& headers = {}, const std::string& body = "");

    //! Sends a request whose body is produced piece by piece (chunked transfer encoding): `next` fills
    //! its argument and returns false after the last piece.
    ClientResponse Stream(const std::string& method, const std::string& target,
                          const std::map<std::string, std::string>& headers,
                          const std::function<bool(std::string& piece)>& next);

    //! Reads a response body as it arrives (for NDJSON results); `on_data` gets each piece.
    int Download(const std::string& target, const std::map<std::string, std::string>& headers,
                 const std::function<void(const std::string& piece)>& on_data);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace contactd::ingest
