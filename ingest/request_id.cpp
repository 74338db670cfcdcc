#include "ingest/request_id.hpp"

#include <random>

namespace contactd::ingest {

std::string NewRequestId() {
    // Ids need to be unlikely to collide, not unpredictable; one seeded engine per thread avoids a lock.
    thread_local std::mt19937_64 engine{std::random_device{}()};
    constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t bits = engine();
    std::string id(16, '0');
    for (char& c : id) {
        c = kHex[bits & 0xF];
        bits >>= 4;
    }
    return id;
}

bool IsSaneRequestId(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == ':' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::string RequestIdFor(std::optional<std::string_view> client_id) {
    if (client_id && IsSaneRequestId(*client_id)) return std::string(*client_id);
    return NewRequestId();
}

}  // namespace contactd::ingest
