#include "engine/result_line.hpp"

#include "engine/contact_json.hpp"

namespace contactd::engine {

void AppendResultLine(std::string& out, std::int64_t index, const std::optional<std::string>& ref,
                      const Outcome& outcome) {
    JsonWriter writer(out);
    writer.BeginObject();
    writer.Key("index").Int(index);
    writer.Key("status").String(StatusName(outcome.status));
    if (outcome.ok()) {
        writer.Key("action").String(ActionName(outcome.action.value_or(Action::kUnchanged)));
    } else {
        writer.Key("code").String(CodeName(outcome.ignored_code.value_or(Code::kInvalidItem)));
    }
    writer.Key("ref");
    ref ? writer.String(*ref) : writer.Null();
    writer.Key("contact_id");
    outcome.contact_id.empty() ? writer.Null() : writer.String(outcome.contact_id);
    if (!outcome.conflicting_contact_id.empty()) {
        writer.Key("conflicting_contact_id").String(outcome.conflicting_contact_id);
    }
    writer.Key("remarks");
    WriteRemarks(writer, outcome.remarks);
    writer.EndObject();
    out.push_back('\n');
}

std::optional<Status> ResultLineStatus(std::string_view line) {
    // {"index":123,"status":"OK" ...
    const std::size_t at = line.find(",\"status\":\"");
    if (at == std::string_view::npos) return std::nullopt;
    const std::string_view rest = line.substr(at + 11);
    if (rest.rfind("OK\"", 0) == 0) return Status::kOk;
    if (rest.rfind("IGNORED\"", 0) == 0) return Status::kIgnored;
    return std::nullopt;
}

}  // namespace contactd::engine
