// main() for test binaries that need PostgreSQL: one throwaway cluster for the whole run.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/test_cluster.hpp"

// libpqxx 6.4 leaks the PGresult of a query that finds its connection dead (make_result asks for the
// client encoding, which throws, before it takes ownership of the result). Tests that break connections
// on purpose hit that path; without this, LeakSanitizer fails the sanitizer build for a library bug.
// OpenSSL 3 keeps per-thread state for the digest functions (SHA-256, HMAC) that threads ending before
// exit do not give back: a bounded, library-internal allocation, not ours.
extern "C" const char* __lsan_default_suppressions() { return "leak:libpqxx-6.4.so\nleak:libcrypto.so\n"; }

int main(int argc, char** argv) {
    // A peer that closes a socket must be an error code, not the end of the test binary.
    std::signal(SIGPIPE, SIG_IGN);
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new contactd::test_support::TestCluster);  // gtest takes ownership
    return RUN_ALL_TESTS();
}
