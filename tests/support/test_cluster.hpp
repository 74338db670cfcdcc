#pragma once
// One throwaway PostgreSQL for a whole test binary: started before the first test in a fresh directory
// under /tmp, migrated, and removed after the last. Tests share it and isolate themselves with unique
// workspace ids (UniqueId), not with clusters of their own.
//
// CONTACTD_TEST_DATABASE_URL points the tests at an existing database instead (it gets migrated).

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.hpp"

namespace contactd::test_support {

//! The GoogleTest global environment owning the cluster. Registered by tests/support/test_main.cpp.
class TestCluster : public ::testing::Environment {
  public:
    void SetUp() override;
    void TearDown() override;

    //! The URL of the migrated `contactd` database. Valid between SetUp and TearDown.
    static const std::string& Url();
    //! Url() with one more connection parameter (`key=value`), which wins over one the URL already has.
    static std::string UrlWith(std::string_view key, std::string_view value);
    //! Creates an empty database named `<prefix>_<unique suffix>` on the same server and returns its URL.
    static std::string CreateDatabase(std::string_view prefix);
    //! A new, empty directory under this run's temporary directory (removed at the end), reachable by
    //! the unprivileged user the embedded server runs as.
    static std::filesystem::path MakeTempDir(std::string_view name);
    //! Runs `hook` at the end of the run, before the cluster goes (for long-lived users such as a test server).
    static void BeforeTearDown(std::function<void()> hook);
    //! An id no other test of any run shares: `<prefix>-<pid>-<counter>-<random>`.
    static std::string UniqueId(std::string_view prefix);
    //! Ends a session from the server side (pg_terminate_backend) and waits until its process has exited,
    //! so that its socket is closed when this returns. Throws if it does not end within 10 s.
    static void TerminateBackend(int backend_pid);

  private:
    std::filesystem::path root_;
    std::unique_ptr<storage::Database> database_;
    std::vector<std::function<void()>> before_teardown_;
};

}  // namespace contactd::test_support
