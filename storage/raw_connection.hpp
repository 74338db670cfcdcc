#pragma once
// A libpq connection used directly, for what libpqxx 6 cannot do: binary COPY, which lets a 1 GiB batch
// reach the database without escaping a byte, and results in binary format, which bring a chunk's items back
// the same way (libpqxx has bytea sent as hex text, twice its size, then decoded). Errors are thrown as libpqxx
// exceptions carrying the SQLSTATE, so ClassifyDbError treats them like any other.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace contactd::storage {

//! Rows of text values (nullopt for NULL).
using RawRows = std::vector<std::vector<std::optional<std::string>>>;

//! One connection (RAII: closed on destruction).
class RawConnection {
  public:
    //! Connects; throws pqxx::broken_connection when the database cannot be reached.
    explicit RawConnection(const std::string& url);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    //! Runs one statement with text parameters ($1..), returning its rows.
    RawRows Exec(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
    //! Runs `sql`, prepared on this connection the first time, returning each value in binary format: a
    //! bytea's bytes and a text's characters as stored (select other types cast to text).
    RawRows ExecBinary(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});

    //! Starts `COPY ... FROM STDIN (FORMAT binary)` and writes the binary header.
    void BeginCopy(const std::string& copy_sql);
    //! Sends bytes of the COPY stream (rows built with BinaryCopyRow).
    void CopyData(std::string_view bytes);
    //! Writes the trailer and ends the COPY; throws the server's error if it refused a row.
    void EndCopy();
    bool copying() const { return copying_; }

  private:
    [[noreturn]] void Fail(const std::string& what, const std::string& query, const char* sqlstate = nullptr);

    RawRows Rows(pg_result* result, const std::string& sql);

    pg_conn* connection_ = nullptr;
    bool copying_ = false;
    std::vector<std::string> prepared_;  // ExecBinary's statements, named by their position
};

//! Builds rows in PostgreSQL's binary COPY format.
class BinaryCopyRow {
  public:
    explicit BinaryCopyRow(std::string& out, std::int16_t field_count);
    BinaryCopyRow& Text(std::string_view value);
    BinaryCopyRow& Bytes(std::string_view value);
    BinaryCopyRow& Uuid(std::string_view canonical_uuid);
    BinaryCopyRow& Int16(std::int16_t value);
    BinaryCopyRow& Int32(std::int32_t value);
    BinaryCopyRow& Int64(std::int64_t value);
    BinaryCopyRow& Null();

  private:
    std::string& out_;
};

}  // namespace contactd::storage
