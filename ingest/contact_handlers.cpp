// The single-contact endpoints: one write item each, through the same commit path as batches.
#include <charconv>

#include "engine/contact_json.hpp"
#include "engine/search_query.hpp"
#include "engine/validation.hpp"
#include "ingest/api_guard.hpp"
#include "ingest/api_routes.hpp"
#include "ingest/json_body.hpp"

namespace contactd::ingest {

namespace {

using engine::Code;

int StatusOfIgnored(Code code) {
    switch (code) {
        case Code::kContactNotFound:
            return 404;
        case Code::kDuplicateValue:
        case Code::kAlreadyExists:
            return 409;
        case Code::kIdentifierImmutable:
            return 403;
        case Code::kVersionConflict:
            return 412;
        default:
            return 422;
    }
}

HttpResponse ContactResponse(int status, const engine::Contact& contact, const engine::WorkspaceSettings& settings,
                             std::optional<engine::Action> action, const std::vector<std::string>& changed_fields,
                             const std::vector<engine::Remark>& remarks) {
    std::string body;
    engine::JsonWriter writer(body);
    writer.BeginObject();
    engine::WriteContactMembers(writer, contact, settings);
    if (action) writer.Key("action").String(engine::ActionName(*action));
    writer.Key("changed_fields").BeginArray();
    for (const std::string& field : changed_fields) writer.String(field);
    writer.EndArray();
    writer.Key("remarks");
    engine::WriteRemarks(writer, remarks);
    writer.EndObject();
    HttpResponse response = JsonResponse(status, std::move(body));
    response.headers.Set("ETag", "\"" + std::to_string(contact.version) + "\"");
    return response;
}

HttpResponse IgnoredResponse(const engine::Outcome& outcome) {
    const Code code = outcome.ignored_code.value_or(Code::kInvalidItem);
    std::string message = "the write was refused";
    for (const engine::Remark& remark : outcome.remarks) {
        if (remark.code == code) message = (remark.field.empty() ? "" : remark.field + ": ") + remark.message;
    }
    if (code == Code::kInvalidFields) message = "fields were invalid and invalid_fields=reject refused the write";
    const std::string conflicting = outcome.conflicting_contact_id;
    return ErrorResponse(
        StatusOfIgnored(code), engine::CodeName(code), message, outcome.remarks,
        conflicting.empty() ? ErrorExtras{} : [conflicting](engine::JsonWriter& writer) {
            writer.Key("conflicting_contact_id").String(conflicting);
        });
}

HttpResponse WriteResultResponse(const storage::ItemResult& result, const engine::WorkspaceSettings& settings) {
    if (!result.outcome.ok()) return IgnoredResponse(result.outcome);
    const int status = result.outcome.action == engine::Action::kCreated ? 201 : 200;
    return ContactResponse(status, *result.contact, settings, result.outcome.action, result.changed_fields,
                           result.outcome.remarks);
}

HttpResponse BadParameter(std::string_view name, std::string_view expected) {
    return ErrorResponse(400, "INVALID_PARAMETER",
                         "query parameter \"" + std::string(name) + "\" must be " + std::string(expected));
}

//! `invalid_fields=drop|reject`.
std::variant<bool, HttpResponse> RejectInvalidFields(const HttpRequest& request) {
    const auto value = request.Query("invalid_fields");
    if (!value || *value == "drop") return false;
    if (*value == "reject") return true;
    return BadParameter("invalid_fields", "\"drop\" or \"reject\"");
}

//! `If-Match: "3"` (also W/"3" and 3). nullopt: no condition (absent or `*`).
std::variant<std::optional<std::int64_t>, HttpResponse> ExpectedVersion(const HttpRequest& request) {
    auto header = request.headers.Find("If-Match");
    if (!header || *header == "*") return std::optional<std::int64_t>{};
    std::string_view text = *header;
    if (text.rfind("W/", 0) == 0) text.remove_prefix(2);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
    std::int64_t version = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
    if (ec != std::errc() || end != text.data() + text.size() || version < 1) {
        return ErrorResponse(400, "INVALID_IF_MATCH", "If-Match must be a contact version, e.g. \"3\"");
    }
    return std::optional<std::int64_t>{version};
}

// Validates the body as a single-contact write; a body that is no object is refused whole.
std::variant<engine::ContactWrite, HttpResponse> ValidatedBody(HttpRequest& request,
                                                               const engine::WorkspaceSettings& settings,
                                                               engine::WriteMode mode) {
    auto body = ReadJsonBody(request);
    if (auto* error = std::get_if<HttpResponse>(&body)) return std::move(*error);
    auto write = engine::ValidateWrite(std::get<engine::Json>(body), settings, {.batch_item = false, .mode = mode});
    if (!write.ok()) return ErrorResponse(400, "INVALID_BODY", write.problem().message);
    return std::move(write).value();
}

HttpResponse GetContact(ApiServices& services, HttpRequest& request, const storage::Principal& caller) {
    const std::string ref(request.PathParam("id"));
    const auto contact = services.contacts.Get(caller.workspace, ref);
    if (!contact)
        return ErrorResponse(404, "CONTACT_NOT_FOUND", "no contact is known as " + engine::QuoteForMessage(ref));
    return ContactResponse(200, *contact, caller.workspace, std::nullopt, {}, {});
}

HttpResponse CreateContact(ApiServices& services, HttpRequest& request, const storage::Principal& caller) {
    engine::WriteOptions options;
    const auto mode = request.Query("mode");
    if (!mode || *mode == "create") {
        options.mode = engine::WriteMode::kCreate;
    } else if (*mode == "upsert") {
        options.mode = engine::WriteMode::kUpsert;
    } else {
        return BadParameter("mode", "\"create\" or \"upsert\"");
    }
    auto reject = RejectInvalidFields(request);
    if (auto* error = std::get_if<HttpResponse>(&reject)) return std::move(*error);
    options.reject_invalid_fields = std::get<bool>(reject);
    auto write = ValidatedBody(request, caller.workspace, options.mode);
    if (auto* error = std::get_if<HttpResponse>(&write)) return std::move(*error);
    const auto result = services.contacts.Write(caller.workspace, std::move(std::get<engine::ContactWrite>(write)),
                                                options, std::nullopt, services.now());
    return WriteResultResponse(result, caller.workspace);
}

HttpResponse UpdateContact(ApiServices& services, HttpRequest& request, const storage::Principal& caller,
                           engine::Semantics semantics) {
    engine::WriteOptions options{engine::WriteMode::kUpdate, semantics, false};
    auto reject = RejectInvalidFields(request);
    if (auto* error = std::get_if<HttpResponse>(&reject)) return std::move(*error);
    options.reject_invalid_fields = std::get<bool>(reject);
    auto expected = ExpectedVersion(request);
    if (auto* error = std::get_if<HttpResponse>(&expected)) return std::move(*error);
    auto write = ValidatedBody(request, caller.workspace, options.mode);
    if (auto* error = std::get_if<HttpResponse>(&write)) return std::move(*error);
    auto& contact_write = std::get<engine::ContactWrite>(write);
    contact_write.expected_version = std::get<std::optional<std::int64_t>>(expected);
    const auto result = services.contacts.Write(caller.workspace, std::move(contact_write), options,
                                                std::string(request.PathParam("id")), services.now());
    return WriteResultResponse(result, caller.workspace);
}

HttpResponse MergeContact(ApiServices& services, HttpRequest& request, const storage::Principal& caller) {
    auto body = ReadJsonBody(request);
    if (auto* error = std::get_if<HttpResponse>(&body)) return std::move(*error);
    const engine::Json& json = std::get<engine::Json>(body);
    const engine::Json* into = json.IsObject() ? json.Find("into") : nullptr;
    if (into == nullptr || !into->IsString() || into->text().empty()) {
        return ErrorResponse(422, "INVALID_MERGE", "the body must be {\"into\": \"<contact id>\"}");
    }
    const std::string source(request.PathParam("id"));
    const auto merged = services.contacts.Merge(caller.workspace, source, into->text(), services.now());
    using Status = storage::MergeOutcome::Status;
    switch (merged.status) {
        case Status::kSourceNotFound:
            return ErrorResponse(404, "CONTACT_NOT_FOUND", "no contact is known as " + engine::QuoteForMessage(source));
        case Status::kTargetNotFound:
            return ErrorResponse(404, "CONTACT_NOT_FOUND",
                                 "into: no contact is known as " + engine::QuoteForMessage(into->text()));
        case Status::kSameContact:
            return ErrorResponse(422, "INVALID_MERGE", "a contact cannot be merged into itself");
        case Status::kRefused:
            return ErrorResponse(422, engine::CodeName(merged.refused->code),
                                 merged.refused->field + ": " + merged.refused->message, {*merged.refused});
        case Status::kMerged:
            break;
    }
    return ContactResponse(200, merged.contact, caller.workspace, std::nullopt, merged.changed_fields, {});
}

HttpResponse SearchContacts(ApiServices& services, HttpRequest& request, const storage::Principal& caller) {
    auto body = ReadJsonBody(request, /*allow_empty=*/true);
    if (auto* error = std::get_if<HttpResponse>(&body)) return std::move(*error);
    const engine::Json& json = std::get<engine::Json>(body);
    const auto parsed =
        engine::ParseSearchQuery(&json, request.Query("skip"), request.Query("limit"), caller.workspace);
    if (!parsed.query) return ErrorResponse(400, "BAD_REQUEST", parsed.error.message, parsed.error.remarks);
    const storage::SearchPage page = services.contacts.Search(caller.workspace, *parsed.query);
    std::string out;
    engine::JsonWriter writer(out);
    writer.BeginObject().Key("items").BeginArray();
    for (const engine::Contact& contact : page.contacts) {
        writer.BeginObject();
        engine::WriteContactMembers(writer, contact, caller.workspace);
        writer.EndObject();
    }
    writer.EndArray();
    writer.Key("total_count").Int(page.total_count);
    writer.Key("skip").Int(parsed.query->skip);
    writer.Key("limit").Int(parsed.query->limit);
    writer.EndObject();
    return JsonResponse(200, std::move(out));
}

}  // namespace

void AddContactRoutes(Router& router, ApiServices& services) {
    const auto bind = [&services](auto handler) {
        return [&services, handler](HttpRequest& request, const storage::Principal& caller) {
            return handler(services, request, caller);
        };
    };
    router.Add(HttpMethod::kGet, "/v1/contacts/{id}", Guarded(services, Access::kRead, bind(GetContact)));
    router.Add(HttpMethod::kPost, "/v1/contacts", Guarded(services, Access::kWrite, bind(CreateContact)));
    router.Add(HttpMethod::kPut, "/v1/contacts/{id}",
               Guarded(services, Access::kWrite, [&services](HttpRequest& request, const storage::Principal& caller) {
                   return UpdateContact(services, request, caller, engine::Semantics::kPut);
               }));
    router.Add(HttpMethod::kPatch, "/v1/contacts/{id}",
               Guarded(services, Access::kWrite, [&services](HttpRequest& request, const storage::Principal& caller) {
                   return UpdateContact(services, request, caller, engine::Semantics::kPatch);
               }));
    router.Add(HttpMethod::kPost, "/v1/contacts/{id}/merge", Guarded(services, Access::kWrite, bind(MergeContact)));
    router.Add(HttpMethod::kPost, "/v1/contacts/search", Guarded(services, Access::kRead, bind(SearchContacts)));
    router.SetMethodNotAllowedMessage("/v1/contacts/search",
                                      "search is a POST with the filters in a JSON body; only skip and limit are "
                                      "query parameters");
}

}  // namespace contactd::ingest
