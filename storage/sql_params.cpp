#include "storage/sql_params.hpp"

#include <pqxx/connection_base>
#include <pqxx/prepared_statement>

namespace contactd::storage {

SqlParams& SqlParams::Add(std::string value) {
    values_.emplace_back(std::move(value));
    return *this;
}

SqlParams& SqlParams::Add(const std::optional<std::string>& value) {
    values_.push_back(value);
    return *this;
}

SqlParams& SqlParams::AddNull() {
    values_.emplace_back(std::nullopt);
    return *this;
}

std::vector<const char*> SqlParams::Pointers() const {
    // libpqxx treats a null `const char*` as SQL NULL. Values never contain NUL bytes: the engine
    // refuses them in every string.
    std::vector<const char*> pointers;
    pointers.reserve(values_.size());
    for (const auto& value : values_) pointers.push_back(value ? value->c_str() : nullptr);
    return pointers;
}

pqxx::result SqlParams::Exec(pqxx::transaction_base& txn, const std::string& sql) const {
    const std::vector<const char*> pointers = Pointers();
    return txn.exec_params(sql, pqxx::prepare::make_dynamic_params(pointers));
}

namespace {

// The name a fixed statement is prepared under: FNV-1a of its text. A collision cannot go unnoticed:
// libpqxx refuses to redefine a name with another text.
std::string StatementName(const std::string& sql) {
    std::uint64_t hash = 14695981039346656037ull;
    for (const char c : sql) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 1099511628211ull;
    }
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string name = "contactd_";
    for (int shift = 60; shift >= 0; shift -= 4) name += kDigits[(hash >> shift) & 0xF];
    return name;
}

}  // namespace

pqxx::result SqlParams::ExecFixed(pqxx::transaction_base& txn, const std::string& sql) const {
    const std::string name = StatementName(sql);
    txn.conn().prepare(name, sql);  // recorded once per connection; prepared on first use
    return ExecPrepared(txn, name);
}

pqxx::result SqlParams::ExecPrepared(pqxx::transaction_base& txn, const std::string& statement) const {
    const std::vector<const char*> pointers = Pointers();
    return txn.exec_prepared(statement, pqxx::prepare::make_dynamic_params(pointers));
}

}  // namespace contactd::storage
