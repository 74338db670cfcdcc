#include "storage/sql_params.hpp"

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

pqxx::result SqlParams::ExecPrepared(pqxx::transaction_base& txn, const std::string& statement) const {
    const std::vector<const char*> pointers = Pointers();
    return txn.exec_prepared(statement, pqxx::prepare::make_dynamic_params(pointers));
}

}  // namespace contactd::storage
