#include "storage/ids.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <sys/random.h>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <random>
#include <stdexcept>

#include "engine/uuid.hpp"

namespace contactd::storage {

namespace {

std::string ToHex(const unsigned char* data, std::size_t size) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = kHex[data[i] >> 4];
        out[2 * i + 1] = kHex[data[i] & 0xF];
    }
    return out;
}

// Contact ids need uniqueness, not secrecy: a per-thread generator seeded from the OS is enough and
// keeps id generation off the CSPRNG's lock.
std::mt19937_64& ThreadGenerator() {
    thread_local std::mt19937_64 generator([] {
        std::random_device device;
        return (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }());
    return generator;
}

}  // namespace

std::string NewUuidV7() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto millis = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
    const std::uint64_t random_a = ThreadGenerator()();
    const std::uint64_t random_b = ThreadGenerator()();
    std::array<std::uint8_t, 16> bytes{};
    for (int i = 0; i < 6; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(millis >> (40 - 8 * i));
    bytes[6] = static_cast<std::uint8_t>(0x70 | (random_a & 0x0F));  // version 7
    bytes[7] = static_cast<std::uint8_t>(random_a >> 8);
    bytes[8] = static_cast<std::uint8_t>(0x80 | ((random_a >> 16) & 0x3F));  // RFC 4122 variant
    for (int i = 9; i < 16; ++i)
        bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(random_b >> (8 * (i - 9)));
    return engine::FormatUuid(bytes);
}

std::string RandomHex(std::size_t bytes) {
    // getrandom(2): the kernel's CSPRNG, with no library state to set up or leak.
    std::string buffer(bytes, '\0');
    std::size_t filled = 0;
    while (filled < bytes) {
        const ssize_t n = getrandom(buffer.data() + filled, bytes - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("the operating system's random source failed");
        }
        filled += static_cast<std::size_t>(n);
    }
    return ToHex(reinterpret_cast<const unsigned char*>(buffer.data()), bytes);
}

std::string Sha256Raw(const std::string& data) {
    std::string digest(SHA256_DIGEST_LENGTH, '\0');
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(digest.data()));
    return digest;
}

std::string Sha256Hex(const std::string& data) {
    const std::string raw = Sha256Raw(data);
    return ToHex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new()) {
    if (context_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 is unavailable");
    }
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

void Sha256Stream::Update(std::string_view data) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), data.data(), data.size());
}

std::string Sha256Stream::Finish() {
    std::string digest(SHA256_DIGEST_LENGTH, '\0');
    unsigned int length = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), reinterpret_cast<unsigned char*>(digest.data()), &length);
    return digest;
}

std::string HmacSha256Hex(const std::string& key, const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), digest, &length);
    return ToHex(digest, length);
}

}  // namespace contactd::storage
