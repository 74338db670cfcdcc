#pragma once
// Identifiers and secrets: contact ids (UUIDv7, time-ordered so that new rows land at the right edge of
// the primary key index), and random tokens for API keys, webhook secrets and job ids.

#include <cstddef>
#include <string>
#include <string_view>

namespace contactd::storage {

//! A new UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Thread-safe.
std::string NewUuidV7();

//! `bytes` random bytes from the operating system's CSPRNG, as lower-case hex (2 × bytes characters).
std::string RandomHex(std::size_t bytes);

//! Lower-case hex SHA-256 of `data`, and the raw 32 bytes.
std::string Sha256Hex(const std::string& data);
std::string Sha256Raw(const std::string& data);

//! SHA-256 of data given in pieces.
class Sha256Stream {
  public:
    Sha256Stream();
    ~Sha256Stream();
    Sha256Stream(const Sha256Stream&) = delete;
    Sha256Stream& operator=(const Sha256Stream&) = delete;
    void Update(std::string_view data);
    //! The raw 32-byte digest; the stream is spent afterwards.
    std::string Finish();

  private:
    void* context_;  // EVP_MD_CTX
};

//! Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(const std::string& key, const std::string& data);

}  // namespace contactd::storage
