#include "ingest/http_types.hpp"

#include <algorithm>
#include <array>

#include "engine/json_writer.hpp"

namespace contactd::ingest {

namespace {

constexpr std::array<std::pair<HttpMethod, std::string_view>, 7> kMethodNames{{
    {HttpMethod::kGet, "GET"},
    {HttpMethod::kHead, "HEAD"},
    {HttpMethod::kPost, "POST"},
    {HttpMethod::kPut, "PUT"},
    {HttpMethod::kPatch, "PATCH"},
    {HttpMethod::kDelete, "DELETE"},
    {HttpMethod::kOptions, "OPTIONS"},
}};

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string_view MethodName(HttpMethod method) {
    for (const auto& [known, name] : kMethodNames) {
        if (known == method) return name;
    }
    return "OTHER";
}

HttpMethod ParseMethod(std::string_view token) {
    for (const auto& [method, name] : kMethodNames) {
        if (name == token) return method;
    }
    return HttpMethod::kOther;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return AsciiLower(x) == AsciiLower(y); });
}

std::optional<std::string_view> HttpHeaders::Find(std::string_view name) const {
    for (const auto& [field_name, value] : fields_) {
        if (EqualsIgnoreCase(field_name, name)) return std::string_view(value);
    }
    return std::nullopt;
}

void HttpHeaders::Set(std::string_view name, std::string_view value) {
    Remove(name);
    Add(name, value);
}

void HttpHeaders::Add(std::string_view name, std::string_view value) { fields_.emplace_back(name, value); }

void HttpHeaders::Remove(std::string_view name) {
    std::erase_if(fields_, [&](const Field& field) { return EqualsIgnoreCase(field.first, name); });
}

std::optional<std::string_view> HttpRequest::Query(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) return std::string_view(value);
    }
    return std::nullopt;
}

std::string_view HttpRequest::PathParam(std::string_view name) const {
    for (const auto& [key, value] : path_params) {
        if (key == name) return value;
    }
    return {};
}

HttpResponse JsonResponse(int status, std::string json_body) {
    HttpResponse response;
    response.status = status;
    response.headers.Set("Content-Type", "application/json");
    response.body = std::move(json_body);
    return response;
}

HttpResponse EmptyResponse(int status) {
    HttpResponse response;
    response.status = status;
    return response;
}

void WriteRemarks(engine::JsonWriter& writer, const std::vector<engine::Remark>& remarks) {
    writer.BeginArray();
    for (const engine::Remark& remark : remarks) {
        writer.BeginObject();
        writer.Key("field").String(remark.field);
        writer.Key("code").String(engine::CodeName(remark.code));
        writer.Key("message").String(remark.message);
        writer.EndObject();
    }
    writer.EndArray();
}

std::string ErrorBody(std::string_view code, std::string_view message, const std::vector<engine::Remark>& remarks,
                      const ErrorExtras& extras) {
    std::string out;
    engine::JsonWriter writer(out);
    writer.BeginObject().Key("error").BeginObject();
    writer.Key("code").String(code);
    writer.Key("message").String(message);
    writer.Key("remarks");
    WriteRemarks(writer, remarks);
    if (extras) extras(writer);
    writer.EndObject().EndObject();
    return out;
}

HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                           const std::vector<engine::Remark>& remarks, const ErrorExtras& extras) {
    return JsonResponse(status, ErrorBody(code, message, remarks, extras));
}

}  // namespace contactd::ingest
