#include "bench/e2e/bench_results.hpp"

#include <algorithm>

namespace contactd::bench::e2e {

bool BenchResults::Passed() const {
    return failure.empty() && batch.measured &&
           std::all_of(checks.begin(), checks.end(), [](const Check& check) { return check.ok; });
}

}  // namespace contactd::bench::e2e
