#include "engine/contact_write.hpp"

namespace contactd::engine {

std::string_view WriteModeName(WriteMode mode) {
    switch (mode) {
        case WriteMode::kUpsert:
            return "upsert";
        case WriteMode::kCreate:
            return "create";
        case WriteMode::kUpdate:
            return "update";
    }
    return "upsert";
}

std::string_view SemanticsName(Semantics semantics) { return semantics == Semantics::kPut ? "put" : "patch"; }

std::optional<WriteMode> ParseWriteMode(std::string_view name) {
    if (name == "upsert") return WriteMode::kUpsert;
    if (name == "create") return WriteMode::kCreate;
    if (name == "update") return WriteMode::kUpdate;
    return std::nullopt;
}

std::optional<Semantics> ParseSemantics(std::string_view name) {
    if (name == "patch") return Semantics::kPatch;
    if (name == "put") return Semantics::kPut;
    return std::nullopt;
}

}  // namespace contactd::engine
