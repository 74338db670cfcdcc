#include "bench/e2e/results_chart.hpp"

#include <fstream>
#include <stdexcept>

#include "bench/e2e/number_format.hpp"
#include "bench/e2e/programs.hpp"

namespace contactd::bench::e2e {

namespace {

//! One bar: label (gnuplot turns "\n" into a line break), value in thousands per second, colour, and the text
//! above the bar: the value, and its ratio to `base` when one is given.
void Bar(std::ostream& out, const char* label, double per_second, const char* colour, double base = 0) {
    const std::string text = Fixed(per_second / 1000, per_second < 10000 ? 2 : 1) + "k" +
                             (base > 0 ? " (" + Fixed(per_second / base, 2) + "x)" : "");
    out << '"' << label << "\" " << Fixed(per_second / 1000, 3) << " " << colour << " \"" << text << "\"\n";
}

}  // namespace

void DrawResultsChart(const BenchResults& results, const std::filesystem::path& png,
                      const std::filesystem::path& work_dir) {
    constexpr const char* kContactd = "2062260";   // 0x1f77b4
    constexpr const char* kReference = "8355711";  // 0x7f7f7f
    const std::filesystem::path throughput = work_dir / "chart-batch.dat";
    const std::filesystem::path patch = work_dir / "chart-patch.dat";
    {
        std::ofstream out(throughput);
        Bar(out, "contactd batch\\nend to end\\n(items/s)", results.batch.ItemsPerSecond(), kContactd,
            results.copy.ContactsPerSecond());
        Bar(out, "COPY\\ncontacts\\n(rows/s)", results.copy.ContactsPerSecond(), kReference);
        Bar(out, "COPY contacts\\n+ claims\\n(contacts/s)", results.copy.WithKeysPerSecond(), kReference);
    }
    {
        std::ofstream out(patch);
        Bar(out, "contactd PATCH\\n(requests/s)", results.patch.contactd.PerSecond(), kContactd,
            results.patch.pgbench.PerSecond());
        Bar(out, "pgbench one-row UPDATE\\n(transactions/s)", results.patch.pgbench.PerSecond(), kReference);
    }
    const std::filesystem::path script = work_dir / "chart.gp";
    {
        std::ofstream out(script);
        out << "set terminal pngcairo size 1200,520 font 'sans,11'\n"
            << "set output '" << png.string() << "'\n"
            << "set multiplot layout 1,2 title 'contactd end-to-end benchmark: " << Grouped(results.run.items)
            << " items, " << results.run.date_utc << ", " << results.run.commit.substr(0, 12) << "'\n"
            << "set style fill solid 0.85 border -1\nset boxwidth 0.6\nset grid ytics\nset yrange [0:*]\n"
            << "set offsets 0.4, 0.4, graph 0.1, 0\nset bmargin 5\nset ylabel 'thousand per second'\nunset key\n"
            << "set title 'Batch create-or-update vs single-stream COPY'\n"
            << "plot '" << throughput.string() << "' using 0:2:3:xtic(1) with boxes lc rgb variable, "
            << "'' using 0:2:4 with labels offset 0,0.8\n"
            << "set title 'Single-contact PATCH, " << results.patch.connections
            << " connections, vs pgbench one-row UPDATE'\n"
            << "plot '" << patch.string() << "' using 0:2:3:xtic(1) with boxes lc rgb variable, "
            << "'' using 0:2:4 with labels offset 0,0.8\n"
            << "unset multiplot\n";
    }
    const std::filesystem::path output = work_dir / "gnuplot.out";
    const int exit_code =
        RunProgram({FindProgram("gnuplot").string(), script.string()}, output, std::chrono::seconds(60));
    if (exit_code != 0) throw std::runtime_error("gnuplot failed:\n" + ReadTextFile(output));
}

}  // namespace contactd::bench::e2e
