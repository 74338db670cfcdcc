#include "storage/db_error.hpp"

#include <pqxx/except>

#include <algorithm>
#include <random>
#include <thread>

#include "storage/connection_pool.hpp"

namespace contactd::storage {
namespace {

DbErrorKind ClassifySqlState(std::string_view state) {
    if (state == "23505") return DbErrorKind::kUniqueViolation;
    if (state == "40003") return DbErrorKind::kInDoubt;           // statement_completion_unknown
    if (state.starts_with("40")) return DbErrorKind::kRetryable;  // 40000, 40001, 40002, 40P01: rolled back
    if (state == "08007") return DbErrorKind::kInDoubt;           // transaction_resolution_unknown
    if (state.starts_with("08")) return DbErrorKind::kRetryable;  // connection exceptions
    if (state == "55P03" || state == "57P01" || state == "57P02" || state == "57P03" || state == "53300") {
        return DbErrorKind::kRetryable;
    }
    return DbErrorKind::kPermanent;
}

}  // namespace

std::string_view DbErrorKindName(DbErrorKind kind) {
    switch (kind) {
        case DbErrorKind::kRetryable:
            return "retryable";
        case DbErrorKind::kInDoubt:
            return "in_doubt";
        case DbErrorKind::kUniqueViolation:
            return "unique_violation";
        case DbErrorKind::kPermanent:
            return "permanent";
    }
    return "permanent";
}

std::string SqlState(const std::exception& error) {
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) return sql->sqlstate();
    // libpqxx 6 throws these without their SQLSTATE (result.cxx maps 40xxx to types and drops the code).
    if (dynamic_cast<const pqxx::serialization_failure*>(&error)) return "40001";
    if (dynamic_cast<const pqxx::deadlock_detected*>(&error)) return "40P01";
    if (dynamic_cast<const pqxx::statement_completion_unknown*>(&error)) return "40003";
    if (dynamic_cast<const pqxx::too_many_connections*>(&error)) return "53300";
    if (dynamic_cast<const pqxx::transaction_rollback*>(&error)) return "40000";
    return {};
}

DbErrorKind ClassifyDbError(const std::exception& error) {
    // Order matters: in doubt before everything, because an in-doubt commit also lost its connection.
    if (dynamic_cast<const pqxx::in_doubt_error*>(&error)) return DbErrorKind::kInDoubt;
    if (dynamic_cast<const pqxx::statement_completion_unknown*>(&error)) return DbErrorKind::kInDoubt;
    if (dynamic_cast<const pqxx::broken_connection*>(&error)) return DbErrorKind::kRetryable;
    if (dynamic_cast<const ConnectionPoolExhausted*>(&error)) return DbErrorKind::kRetryable;
    const std::string state = SqlState(error);
    if (state.empty()) return DbErrorKind::kPermanent;
    return ClassifySqlState(state);
}

namespace detail {

void BackoffBeforeAttempt(int next_attempt) {
    constexpr int kFirstMs = 5;
    constexpr int kCapMs = 500;
    const int shift = std::clamp(next_attempt - 2, 0, 10);
    const int ceiling = std::min(kCapMs, kFirstMs << shift);
    // Jitter: contenders that failed together (a deadlock's two sides) should not retry in step.
    thread_local std::minstd_rand random(std::random_device{}());
    std::uniform_int_distribution<int> pick(ceiling / 2, ceiling);
    std::this_thread::sleep_for(std::chrono::milliseconds(pick(random)));
}

}  // namespace detail

}  // namespace contactd::storage
