#include "app/options.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "storage/ids.hpp"

namespace contactd::app {

Options::Options(const std::vector<std::string>& args, const std::vector<std::string>& boolean_flags) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.rfind("--", 0) != 0 || arg == "--") {
            positional_.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        if (const auto equals = name.find('='); equals != std::string::npos) {
            values_[name.substr(0, equals)] = name.substr(equals + 1);
            continue;
        }
        if (std::find(boolean_flags.begin(), boolean_flags.end(), name) != boolean_flags.end()) {
            flags_[name] = true;
            continue;
        }
        if (i + 1 >= args.size()) throw std::invalid_argument("--" + name + " needs a value");
        values_[name] = args[++i];
    }
}

std::optional<std::string> Options::Get(const std::string& name, const char* env) const {
    if (const auto it = values_.find(name); it != values_.end()) return it->second;
    if (env != nullptr) {
        if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return std::string(value);
    }
    return std::nullopt;
}

std::string Options::Get(const std::string& name, const char* env, const std::string& fallback) const {
    return Get(name, env).value_or(fallback);
}

Endpoint ParseEndpoint(const std::string& text) {
    Endpoint endpoint;
    std::string port_text = text;
    if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        if (colon > 0) endpoint.host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        throw std::invalid_argument("not a host:port: " + text);
    }
    endpoint.port = static_cast<std::uint16_t>(port);
    return endpoint;
}

std::optional<std::string> AdminToken(const Options& options, const std::filesystem::path& data_dir, bool create,
                                      bool* generated) {
    if (generated != nullptr) *generated = false;
    if (auto token = options.Get("admin-token", "CONTACTD_ADMIN_TOKEN")) return token;
    const std::filesystem::path path = data_dir / "admin_token";
    if (std::ifstream in(path); in) {
        std::string token;
        std::getline(in, token);
        if (!token.empty()) return token;
    }
    if (!create) return std::nullopt;
    std::filesystem::create_directories(data_dir);
    const std::string token = "cda_" + storage::RandomHex(24);
    {
        std::ofstream out(path, std::ios::trunc);
        out << token << "\n";
        if (!out) throw std::runtime_error("cannot write " + path.string());
    }
    ::chmod(path.c_str(), 0600);
    if (generated != nullptr) *generated = true;
    return token;
}

std::string NodeId(const Options& options, const std::filesystem::path& data_dir) {
    if (auto id = options.Get("node-id", "CONTACTD_NODE_ID")) return *id;
    const std::filesystem::path path = data_dir / "node_id";
    if (std::ifstream in(path); in) {
        std::string id;
        std::getline(in, id);
        if (!id.empty()) return id;
    }
    std::filesystem::create_directories(data_dir);
    const std::string id = "node-" + storage::RandomHex(8);
    std::ofstream(path, std::ios::trunc) << id << "\n";
    return id;
}

}  // namespace contactd::app
