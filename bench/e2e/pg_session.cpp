#include "bench/e2e/pg_session.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "bench/e2e/interrupt.hpp"

namespace contactd::bench::e2e {

namespace {

constexpr std::size_t kPieceBytes = 1 << 20;

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

FilePtr OpenFile(const std::filesystem::path& path, const char* mode) {
    FilePtr file(std::fopen(path.c_str(), mode));
    if (!file) throw std::runtime_error("cannot open " + path.string());
    return file;
}

}  // namespace

PgSession::PgSession(const std::string& url) : connection_(PQconnectdb(url.c_str())) {
    if (connection_ == nullptr || PQstatus(connection_) != CONNECTION_OK) {
        const std::string message = connection_ ? PQerrorMessage(connection_) : "out of memory";
        PQfinish(connection_);
        connection_ = nullptr;
        throw std::runtime_error("cannot connect to " + url + ": " + message);
    }
    // NOTICEs ("table ... does not exist, skipping") would interleave with the driver's progress lines.
    PQsetNoticeProcessor(
        connection_, [](void*, const char*) {}, nullptr);
}

PgSession::~PgSession() { PQfinish(connection_); }

void PgSession::Fail(const std::string& what) const {
    ThrowIfInterrupted();  // a cancelled statement is the interrupt's doing, not a database failure
    throw std::runtime_error(what + ": " + PQerrorMessage(connection_));
}

void PgSession::Exec(const std::string& sql) {
    CancelOnInterrupt cancel(connection_);
    ResultPtr result(PQexec(connection_, sql.c_str()), &PQclear);
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail("SQL failed (" + sql.substr(0, 80) + ")");
}

TextRows PgSession::Query(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const std::string& param : params) values.push_back(param.c_str());
    CancelOnInterrupt cancel(connection_);
    ResultPtr result(PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                  nullptr, nullptr, 0),
                     &PQclear);
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail("SQL failed (" + sql.substr(0, 80) + ")");
    TextRows rows(static_cast<std::size_t>(PQntuples(result.get())));
    for (int row = 0; row < PQntuples(result.get()); ++row) {
        for (int column = 0; column < PQnfields(result.get()); ++column) {
            rows[static_cast<std::size_t>(row)].emplace_back(
                PQgetvalue(result.get(), row, column),
                static_cast<std::size_t>(PQgetlength(result.get(), row, column)));
        }
    }
    return rows;
}

std::uint64_t PgSession::CopyToFile(const std::string& copy_sql, const std::filesystem::path& path) {
    FilePtr file = OpenFile(path, "wb");
    CancelOnInterrupt cancel(connection_);
    {
        ResultPtr start(PQexec(connection_, copy_sql.c_str()), &PQclear);
        if (PQresultStatus(start.get()) != PGRES_COPY_OUT) Fail("COPY TO did not start");
    }
    std::uint64_t bytes = 0;
    while (true) {
        char* data = nullptr;
        const int length = PQgetCopyData(connection_, &data, 0);
        if (length == -1) break;
        if (length < 0) Fail("COPY TO failed");
        const bool written =
            std::fwrite(data, 1, static_cast<std::size_t>(length), file.get()) == static_cast<std::size_t>(length);
        PQfreemem(data);
        if (!written) throw std::runtime_error("cannot write " + path.string());
        bytes += static_cast<std::uint64_t>(length);
    }
    ResultPtr end(PQgetResult(connection_), &PQclear);
    if (PQresultStatus(end.get()) != PGRES_COMMAND_OK) Fail("COPY TO failed");
    while (PGresult* rest = PQgetResult(connection_)) PQclear(rest);
    if (std::fflush(file.get()) != 0) throw std::runtime_error("cannot write " + path.string());
    return bytes;
}

std::uint64_t PgSession::CopyFromFile(const std::string& copy_sql, const std::filesystem::path& path) {
    FilePtr file = OpenFile(path, "rb");
    CancelOnInterrupt cancel(connection_);
    {
        ResultPtr start(PQexec(connection_, copy_sql.c_str()), &PQclear);
        if (PQresultStatus(start.get()) != PGRES_COPY_IN) Fail("COPY FROM did not start");
    }
    std::string piece(kPieceBytes, '\0');
    while (true) {
        const std::size_t got = std::fread(piece.data(), 1, piece.size(), file.get());
        if (got > 0 && PQputCopyData(connection_, piece.data(), static_cast<int>(got)) != 1) Fail("COPY FROM failed");
        if (got < piece.size()) break;
        if (InterruptRequested()) {
            PQputCopyEnd(connection_, "interrupted");
            while (PGresult* rest = PQgetResult(connection_)) PQclear(rest);
            throw Interrupted();
        }
    }
    if (std::ferror(file.get())) throw std::runtime_error("cannot read " + path.string());
    if (PQputCopyEnd(connection_, nullptr) != 1) Fail("COPY FROM failed");
    ResultPtr end(PQgetResult(connection_), &PQclear);
    if (PQresultStatus(end.get()) != PGRES_COMMAND_OK) Fail("COPY FROM failed");
    const std::uint64_t rows = std::strtoull(PQcmdTuples(end.get()), nullptr, 10);
    while (PGresult* rest = PQgetResult(connection_)) PQclear(rest);
    return rows;
}

}  // namespace contactd::bench::e2e
