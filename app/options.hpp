#pragma once
// Command-line flags and CONTACTD_* environment variables (SPEC §7). A flag wins over the environment,
// which wins over the default.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace contactd::app {

//! Parsed `--name value` / `--name=value` flags and positional arguments of one subcommand.
class Options {
  public:
    //! Parses `args` (after the subcommand). `boolean_flags` take no value. Throws std::invalid_argument
    //! for a flag without its value.
    Options(const std::vector<std::string>& args, const std::vector<std::string>& boolean_flags = {});

    //! `--name`, else the environment variable `env`, else nothing.
    std::optional<std::string> Get(const std::string& name, const char* env = nullptr) const;
    std::string Get(const std::string& name, const char* env, const std::string& fallback) const;
    bool Flag(const std::string& name) const { return flags_.count(name) != 0; }
    const std::vector<std::string>& positional() const { return positional_; }

  private:
    std::map<std::string, std::string> values_;
    std::map<std::string, bool> flags_;
    std::vector<std::string> positional_;
};

//! Where the server listens and how a client reaches it.
struct Endpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
};

//! Parses `host:port` (or `:port`, or `port`). Throws std::invalid_argument.
Endpoint ParseEndpoint(const std::string& text);

//! The admin token: CONTACTD_ADMIN_TOKEN, else `<data_dir>/admin_token`, created (0600) with a random
//! token on first use by the server. `create` false: read only (clients).
std::optional<std::string> AdminToken(const Options& options, const std::filesystem::path& data_dir, bool create,
                                      bool* generated = nullptr);

//! This node's name in lane leases: CONTACTD_NODE_ID, else `<data_dir>/node_id` (created on first use), so
//! a node that restarts takes its own leases back at once.
std::string NodeId(const Options& options, const std::filesystem::path& data_dir);

}  // namespace contactd::app
