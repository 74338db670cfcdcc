#include "storage/raw_connection.hpp"

#include <sys/socket.h>

#include <libpq-fe.h>
#include <pqxx/except>

#include <algorithm>
#include <cstring>

namespace contactd::storage {

namespace {

constexpr char kCopyHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";  // signature, flags, extension length
constexpr std::size_t kCopyHeaderBytes = 19;

template <class T>
void AppendBigEndian(std::string& out, T value) {
    using Unsigned = std::make_unsigned_t<T>;
    const auto bits = static_cast<Unsigned>(value);
    for (int shift = static_cast<int>(sizeof(T) * 8) - 8; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>((bits >> shift) & 0xFF));
    }
}

// libpq's view of text parameters: NULL for a missing value.
std::vector<const char*> ParamPointers(const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
    return values;
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

RawConnection::RawConnection(const std::string& url) : connection_(PQconnectdb(url.c_str())) {
    if (connection_ == nullptr || PQstatus(connection_) != CONNECTION_OK) {
        const std::string message = connection_ ? PQerrorMessage(connection_) : "out of memory";
        if (connection_) PQfinish(connection_);
        connection_ = nullptr;
        throw pqxx::broken_connection(message);
    }
    Exec("SET TIME ZONE 'UTC'");
    // A batch streams into COPY through this connection: a deep socket buffer lets parsing run ahead of
    // the server instead of stalling on every few hundred KiB it has not read yet. (Best effort.)
    const int send_buffer = 8 << 20;
    setsockopt(PQsocket(connection_), SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
}

RawConnection::~RawConnection() {
    if (connection_ != nullptr) PQfinish(connection_);
}

void RawConnection::Fail(const std::string& what, const std::string& query, const char* sqlstate) {
    if (PQstatus(connection_) != CONNECTION_OK) throw pqxx::broken_connection(what);
    if (sqlstate != nullptr && std::strcmp(sqlstate, "40001") == 0) throw pqxx::serialization_failure(what);
    if (sqlstate != nullptr && std::strcmp(sqlstate, "40P01") == 0) throw pqxx::deadlock_detected(what);
    if (sqlstate != nullptr && std::strcmp(sqlstate, "23505") == 0) throw pqxx::unique_violation(what, query, sqlstate);
    throw pqxx::sql_error(what, query, sqlstate);
}

RawRows RawConnection::Exec(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    const std::vector<const char*> values = ParamPointers(params);
    return Rows(PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                             nullptr, 0),
                sql);
}

RawRows RawConnection::ExecBinary(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    auto known = std::find(prepared_.begin(), prepared_.end(), sql);
    const std::string name = "contactd_raw_" + std::to_string(known - prepared_.begin());
    if (known == prepared_.end()) {
        // Throws if it failed; without a result at all the connection is broken, and so dropped.
        Rows(PQprepare(connection_, name.c_str(), sql.c_str(), 0, nullptr), sql);
        prepared_.push_back(sql);
    }
    const std::vector<const char*> values = ParamPointers(params);
    return Rows(PQexecPrepared(connection_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                               nullptr, /*resultFormat=*/1),
                sql);
}

RawRows RawConnection::Rows(PGresult* result, const std::string& sql) {
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        const std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(connection_);
        const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
        const std::string sqlstate = state ? state : "";
        PQclear(result);
        Fail(message, sql, sqlstate.empty() ? nullptr : sqlstate.c_str());
    }
    RawRows rows;
    const int row_count = PQntuples(result);
    const int column_count = PQnfields(result);
    rows.reserve(static_cast<std::size_t>(row_count));
    for (int row = 0; row < row_count; ++row) {
        auto& out = rows.emplace_back();
        for (int column = 0; column < column_count; ++column) {
            if (PQgetisnull(result, row, column)) {
                out.emplace_back(std::nullopt);
            } else {
                out.emplace_back(std::string(PQgetvalue(result, row, column),
                                             static_cast<std::size_t>(PQgetlength(result, row, column))));
            }
        }
    }
    PQclear(result);
    return rows;
}

void RawConnection::BeginCopy(const std::string& copy_sql) {
    PGresult* result = PQexec(connection_, copy_sql.c_str());
    const bool ok = PQresultStatus(result) == PGRES_COPY_IN;
    const std::string message = ok ? "" : PQresultErrorMessage(result);
    PQclear(result);
    if (!ok) Fail(message, copy_sql);
    copying_ = true;
    CopyData(std::string_view(kCopyHeader, kCopyHeaderBytes));
}

void RawConnection::CopyData(std::string_view bytes) {
    if (PQputCopyData(connection_, bytes.data(), static_cast<int>(bytes.size())) != 1) {
        Fail(PQerrorMessage(connection_), "COPY");
    }
}

void RawConnection::EndCopy() {
    std::string trailer;
    AppendBigEndian<std::int16_t>(trailer, -1);
    CopyData(trailer);
    copying_ = false;
    if (PQputCopyEnd(connection_, nullptr) != 1) Fail(PQerrorMessage(connection_), "COPY");
    PGresult* result = PQgetResult(connection_);
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    const std::string message = ok ? "" : PQresultErrorMessage(result);
    const char* state = ok ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const std::string sqlstate = state ? state : "";
    PQclear(result);
    while ((result = PQgetResult(connection_)) != nullptr) PQclear(result);
    if (!ok) Fail(message, "COPY", sqlstate.empty() ? nullptr : sqlstate.c_str());
}

BinaryCopyRow::BinaryCopyRow(std::string& out, std::int16_t field_count) : out_(out) {
    AppendBigEndian<std::int16_t>(out_, field_count);
}

BinaryCopyRow& BinaryCopyRow::Text(std::string_view value) { return Bytes(value); }

BinaryCopyRow& BinaryCopyRow::Bytes(std::string_view value) {
    AppendBigEndian<std::int32_t>(out_, static_cast<std::int32_t>(value.size()));
    out_.append(value);
    return *this;
}

BinaryCopyRow& BinaryCopyRow::Uuid(std::string_view canonical_uuid) {
    AppendBigEndian<std::int32_t>(out_, 16);
    int high = -1;
    for (const char c : canonical_uuid) {
        const int value = HexValue(c);
        if (value < 0) continue;  // the dashes
        if (high < 0) {
            high = value;
        } else {
            out_.push_back(static_cast<char>((high << 4) | value));
            high = -1;
        }
    }
    return *this;
}

BinaryCopyRow& BinaryCopyRow::Int16(std::int16_t value) {
    AppendBigEndian<std::int32_t>(out_, 2);
    AppendBigEndian<std::int16_t>(out_, value);
    return *this;
}

BinaryCopyRow& BinaryCopyRow::Int32(std::int32_t value) {
    AppendBigEndian<std::int32_t>(out_, 4);
    AppendBigEndian<std::int32_t>(out_, value);
    return *this;
}

BinaryCopyRow& BinaryCopyRow::Int64(std::int64_t value) {
    AppendBigEndian<std::int32_t>(out_, 8);
    AppendBigEndian<std::int64_t>(out_, value);
    return *this;
}

BinaryCopyRow& BinaryCopyRow::Null() {
    AppendBigEndian<std::int32_t>(out_, -1);
    return *this;
}

}  // namespace contactd::storage
