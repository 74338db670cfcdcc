#include "ingest/json_body.hpp"

#include "engine/text_rules.hpp"
#include "ingest/json_input.hpp"

namespace contactd::ingest {

bool IsJsonMediaType(std::string_view content_type) {
    const std::string media =
        engine::AsciiLower(engine::TrimAsciiSpace(content_type.substr(0, content_type.find(';'))));
    if (media == "application/json") return true;
    return media.rfind("application/", 0) == 0 && media.size() > 5 && media.substr(media.size() - 5) == "+json";
}

std::variant<engine::Json, HttpResponse> ReadJsonBody(HttpRequest& request, bool allow_empty) {
    const bool empty = engine::TrimAsciiSpace(request.body).empty();
    if (empty && allow_empty) return engine::Json::Null();
    const auto content_type = request.headers.Find("Content-Type");
    if (!empty && (!content_type || !IsJsonMediaType(*content_type))) {
        return ErrorResponse(415, "UNSUPPORTED_MEDIA_TYPE",
                             "the body must be JSON: send \"Content-Type: application/json\"" +
                                 (content_type ? std::string(", not ") + std::string(*content_type) : std::string()));
    }
    JsonInputResult parsed = ParseJsonInput(request.body);
    if (!parsed.ok()) return InvalidJsonResponse(parsed.error());
    return std::move(parsed).value();
}

}  // namespace contactd::ingest
