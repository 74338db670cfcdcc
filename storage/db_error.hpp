#pragma once
// Sorting database failures into what a caller may do about them, by SQLSTATE (never by constraint name:
// Citus appends shard suffixes to names). Modelled on libpqxx's transactor (pqxx::perform).

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace contactd::storage {

//! What a database failure means for the caller.
enum class DbErrorKind {
    kRetryable,        // rolled back, safe to run again: 40001, 40P01, 55P03, 57P01-3, 53300, 08xxx, lost connection
    kInDoubt,          // the commit (or last statement) may or may not have happened: never retry blindly
    kUniqueViolation,  // 23505: a unique index refused the row
    kPermanent,        // anything else: retrying gives the same answer
};

//! "retryable", "in_doubt", "unique_violation", "permanent".
std::string_view DbErrorKindName(DbErrorKind kind);

//! Classifies an exception thrown by libpqxx or by this module (ConnectionPoolExhausted is retryable).
//! Exceptions that are not database errors are kPermanent.
DbErrorKind ClassifyDbError(const std::exception& error);

//! The SQLSTATE behind an exception, or "" when it has none (a lost connection, a non-database error).
//! libpqxx 6 drops the SQLSTATE of the 40xxx classes it maps to types; it is restored from the type.
std::string SqlState(const std::exception& error);

namespace detail {
//! Sleeps before attempt `next_attempt` (2, 3, ...): exponential from 5 ms, capped at 500 ms, jittered.
void BackoffBeforeAttempt(int next_attempt);
}  // namespace detail

//! Runs `f` up to `attempts` times, retrying only kRetryable failures, with a short backoff between tries.
//! `f` must redo the whole transaction (acquire, begin, work, commit) on each call: a rolled-back attempt
//! leaves nothing behind, and `f` should change program state only once it returns. kInDoubt, unique
//! violations and permanent failures propagate at once; the last retryable failure propagates when the
//! attempts run out.
template <class F>
auto RetryTransient(F&& f, int attempts) -> std::invoke_result_t<F&> {
    if (attempts < 1) throw std::invalid_argument("RetryTransient: attempts must be at least 1");
    for (int attempt = 1;; ++attempt) {
        try {
            return f();
        } catch (const std::exception& error) {
            if (attempt >= attempts || ClassifyDbError(error) != DbErrorKind::kRetryable) throw;
        }
        detail::BackoffBeforeAttempt(attempt + 1);
    }
}

}  // namespace contactd::storage
