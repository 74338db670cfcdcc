#pragma once
// One libpq connection of the benchmark driver: plain SQL, and COPY in text format between a table and a
// file. libpq directly (not libpqxx): the physical reference should cost the client nothing but the bytes.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

struct pg_conn;

namespace contactd::bench::e2e {

//! Rows of text values; NULL reads as an empty string.
using TextRows = std::vector<std::vector<std::string>>;

//! A connection (RAII). Every failure throws std::runtime_error with the server's message; a Ctrl-C cancels
//! a COPY in flight.
class PgSession {
  public:
    explicit PgSession(const std::string& url);
    ~PgSession();
    PgSession(const PgSession&) = delete;
    PgSession& operator=(const PgSession&) = delete;

    //! Runs one or more statements without parameters.
    void Exec(const std::string& sql);
    //! Runs one statement with text parameters ($1, ...) and returns its rows.
    TextRows Query(const std::string& sql, const std::vector<std::string>& params = {});
    //! `COPY (...) TO STDOUT` into `path`; returns the bytes written.
    std::uint64_t CopyToFile(const std::string& copy_sql, const std::filesystem::path& path);
    //! `COPY ... FROM STDIN` fed from `path` in 1 MiB pieces; returns the rows the server stored.
    std::uint64_t CopyFromFile(const std::string& copy_sql, const std::filesystem::path& path);

  private:
    [[noreturn]] void Fail(const std::string& what) const;

    pg_conn* connection_ = nullptr;
};

}  // namespace contactd::bench::e2e
