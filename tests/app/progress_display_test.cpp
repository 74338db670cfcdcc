// The exact text `contactd submit` shows: numbers, bars at given widths, unknown rates and ETAs, 100%,
// the summary, and when plain lines are due.
#include "app/progress_display.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace contactd::app {
namespace {

JobProgress Running() {
    JobProgress progress;
    progress.state = "running";
    progress.processed = 4520;
    progress.total = 10000;
    progress.items_per_second = 1234.0;
    progress.eta_seconds = 3.9;
    return progress;
}

TEST(ProgressDisplayTest, CountsGetThousandsSeparators) {
    EXPECT_EQ(FormatCount(0), "0");
    EXPECT_EQ(FormatCount(999), "999");
    EXPECT_EQ(FormatCount(1000), "1,000");
    EXPECT_EQ(FormatCount(1234567), "1,234,567");
    EXPECT_EQ(FormatCount(-1234), "-1,234");
    EXPECT_EQ(FormatCount(std::numeric_limits<std::int64_t>::min()), "-9,223,372,036,854,775,808");
}

TEST(ProgressDisplayTest, PercentRoundsDownSoOnlyDoneShows100) {
    EXPECT_EQ(FormatPercent(0, 0), "0.0%");
    EXPECT_EQ(FormatPercent(452, 1000), "45.2%");
    EXPECT_EQ(FormatPercent(2, 3), "66.6%");
    EXPECT_EQ(FormatPercent(9999, 10000), "99.9%");
    EXPECT_EQ(FormatPercent(999999, 1000000), "99.9%");
    EXPECT_EQ(FormatPercent(1000, 1000), "100.0%");
    EXPECT_EQ(FormatPercent(1200, 1000), "100.0%");
    EXPECT_EQ(FormatPercent(-5, 1000), "0.0%");
}

TEST(ProgressDisplayTest, RateIsUnknownAtZeroAndHasADecimalOnlyWhenSmall) {
    EXPECT_EQ(FormatRate(0), "-- items/s");
    EXPECT_EQ(FormatRate(-3), "-- items/s");
    EXPECT_EQ(FormatRate(std::nan("")), "-- items/s");
    EXPECT_EQ(FormatRate(std::numeric_limits<double>::infinity()), "-- items/s");
    EXPECT_EQ(FormatRate(0.04), "0.0 items/s");
    EXPECT_EQ(FormatRate(12.46), "12.5 items/s");
    EXPECT_EQ(FormatRate(99.94), "99.9 items/s");
    EXPECT_EQ(FormatRate(99.96), "100 items/s");
    EXPECT_EQ(FormatRate(1234.5), "1,235 items/s");
    EXPECT_EQ(FormatRate(250000), "250,000 items/s");
}

TEST(ProgressDisplayTest, EtaRoundsUpAndShowsHoursOnlyWhenNeeded) {
    EXPECT_EQ(FormatEta(std::nullopt), "ETA --:--");
    EXPECT_EQ(FormatEta(std::nan("")), "ETA --:--");
    EXPECT_EQ(FormatEta(0.0), "ETA 0:00");
    EXPECT_EQ(FormatEta(-5.0), "ETA 0:00");
    EXPECT_EQ(FormatEta(0.2), "ETA 0:01");
    EXPECT_EQ(FormatEta(7.0), "ETA 0:07");
    EXPECT_EQ(FormatEta(725.0), "ETA 12:05");
    EXPECT_EQ(FormatEta(3599.5), "ETA 1:00:00");
    EXPECT_EQ(FormatEta(3723.0), "ETA 1:02:03");
    EXPECT_EQ(FormatEta(360000.0), "ETA 100:00:00");
}

TEST(ProgressDisplayTest, SizesAreDecimalMegabytesToATenth) {
    EXPECT_EQ(FormatMegabytes(0), "0.0 MB");
    EXPECT_EQ(FormatMegabytes(49999), "0.0 MB");
    EXPECT_EQ(FormatMegabytes(50000), "0.1 MB");
    EXPECT_EQ(FormatMegabytes(12345678), "12.3 MB");
    EXPECT_EQ(FormatMegabytes(1073741824), "1,073.7 MB");
    EXPECT_EQ(FormatMegabytesPerSecond(10000000, 2.0), "5.0 MB/s");
    EXPECT_EQ(FormatMegabytesPerSecond(10000000, 0.0), "-- MB/s");
    EXPECT_EQ(FormatMegabytesPerSecond(0, 1.0), "0.0 MB/s");
}

TEST(ProgressDisplayTest, BarFillsTheWidthTheTextLeaves) {
    const std::string bar = ProgressBar(Running(), 80);
    EXPECT_EQ(bar, "running   [#########-------------]  45.2%  4,520/10,000  1,234 items/s  ETA 0:04");
    EXPECT_EQ(bar.size(), 80u);
}

TEST(ProgressDisplayTest, BarKeepsTenCellsAtLeastAndIsLeftOutBelowThat) {
    EXPECT_EQ(ProgressBar(Running(), 68), "running   [####------]  45.2%  4,520/10,000  1,234 items/s  ETA 0:04");
    // One column less: no bar, and the text is padded to wipe the longer line drawn before.
    EXPECT_EQ(ProgressBar(Running(), 67), "running    45.2%  4,520/10,000  1,234 items/s  ETA 0:04            ");
    EXPECT_EQ(ProgressBar(Running(), 28), "running    45.2%  4,520/10,0");
    EXPECT_EQ(ProgressBar(Running(), 0), "");
}

TEST(ProgressDisplayTest, QueuedJobShowsAnEmptyBarAndUnknownRateAndEta) {
    JobProgress queued;
    queued.state = "queued";
    queued.total = 1000;
    EXPECT_EQ(ProgressBar(queued, 70), "queued    [-------------------]   0.0%  0/1,000  -- items/s  ETA --:--");
    EXPECT_EQ(ProgressLine(queued), "queued: 0/1,000 items (0.0%), -- items/s, ETA --:--");
}

TEST(ProgressDisplayTest, FinishedJobShowsAFullBarAt100Percent) {
    JobProgress done;
    done.state = "completed";
    done.processed = 1000;
    done.total = 1000;
    done.items_per_second = 250;
    done.eta_seconds = 0.0;
    EXPECT_EQ(ProgressBar(done, 70), "completed [###############] 100.0%  1,000/1,000  250 items/s  ETA 0:00");
    EXPECT_EQ(ProgressLine(done), "completed: 1,000/1,000 items (100.0%), 250 items/s, ETA 0:00");
}

TEST(ProgressDisplayTest, PlainLineSaysTheSameInWords) {
    EXPECT_EQ(ProgressLine(Running()), "running: 4,520/10,000 items (45.2%), 1,234 items/s, ETA 0:04");
}

TEST(ProgressDisplayTest, UploadBarAndLineShowBytesPercentAndSpeed) {
    UploadProgress upload;
    upload.input_bytes = 4500000;
    upload.sent_bytes = 4500000;
    EXPECT_EQ(UploadBar(upload, 10000000, 2.0, 60), "uploading [########----------]  45.0%  4.5/10.0 MB  2.3 MB/s");
    EXPECT_EQ(UploadBar(upload, std::nullopt, 2.0, 40), "uploading  4.5 MB  2.3 MB/s             ");
    EXPECT_EQ(UploadBar(upload, 10000000, 0.0, 20), "uploading  45.0%  4.");
    EXPECT_EQ(UploadLine(upload, 10000000, 2.0), "uploaded 4.5 MB of 10.0 MB (45.0%), 2.3 MB/s");
    EXPECT_EQ(UploadLine(upload, std::nullopt, 0.0), "uploaded 4.5 MB, -- MB/s");
    upload.sent_bytes = 1100000;  // compressed on the way
    EXPECT_EQ(UploadLine(upload, 10000000, 2.0), "uploaded 4.5 MB of 10.0 MB (45.0%), 2.3 MB/s, 1.1 MB sent");
}

BatchStatus CompletedWithErrors() {
    BatchStatus status;
    status.job_id = "6f1c2a9e-0000-4000-8000-000000000001";
    status.state = engine::JobState::kCompleted;
    status.has_errors = true;
    status.counts = {.total = 5,
                     .processed = 5,
                     .ok = 3,
                     .ignored = 2,
                     .created = 2,
                     .updated = 1,
                     .unchanged = 0,
                     .with_remarks = 1};
    status.ignored_by_code = {{"INVALID_ITEM", 1}, {"DUPLICATE_VALUE", 1}};
    status.items_per_second = 12.5;
    status.started_at = 1000;
    status.finished_at = 1400;
    return status;
}

TEST(ProgressDisplayTest, SummaryNamesEveryCountAndTheCommandForIgnoredItems) {
    EXPECT_EQ(Summary(CompletedWithErrors(), "contactd results 6f1c2a9e-0000-4000-8000-000000000001"),
              "job:             6f1c2a9e-0000-4000-8000-000000000001\n"
              "status:          completed\n"
              "counts:          total 5, processed 5, ok 3, ignored 2, created 2, updated 1, unchanged 0, "
              "with_remarks 1\n"
              "ignored_by_code: DUPLICATE_VALUE 1, INVALID_ITEM 1\n"
              "has_errors:      true\n"
              "duration:        0.4 s\n"
              "items/s:         12.5\n"
              "ignored items:   contactd results 6f1c2a9e-0000-4000-8000-000000000001 --ignored\n");
}

TEST(ProgressDisplayTest, SummaryOfACleanDryRunAndOfAFailedJob) {
    BatchStatus clean;
    clean.job_id = "j";
    clean.state = engine::JobState::kCompleted;
    clean.dry_run = true;
    clean.counts.total = clean.counts.processed = clean.counts.ok = clean.counts.created = 2;
    const std::string text = Summary(clean, "contactd results j");
    EXPECT_NE(text.find("dry_run:         true (nothing was persisted)\n"), std::string::npos) << text;
    EXPECT_NE(text.find("ignored_by_code: none\n"), std::string::npos) << text;
    EXPECT_NE(text.find("has_errors:      false\n"), std::string::npos) << text;
    EXPECT_NE(text.find("duration:        -\n"), std::string::npos) << text;
    EXPECT_NE(text.find("results:         contactd results j\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("--ignored"), std::string::npos) << text;

    BatchStatus failed;
    failed.job_id = "j";
    failed.state = engine::JobState::kFailed;
    failed.message = "the workspace was deleted";
    EXPECT_NE(Summary(failed, "x").find("status:          failed\n"), std::string::npos);
    EXPECT_NE(Summary(failed, "x").find("message:         the workspace was deleted\n"), std::string::npos);
}

TEST(ProgressDisplayTest, ProgressOfTakesTheStatusCounts) {
    BatchStatus status = CompletedWithErrors();
    status.state = engine::JobState::kRunning;
    status.eta_seconds = 2.5;
    const JobProgress progress = ProgressOf(status);
    EXPECT_EQ(progress.state, "running");
    EXPECT_EQ(progress.processed, 5);
    EXPECT_EQ(progress.total, 5);
    EXPECT_EQ(progress.items_per_second, 12.5);
    EXPECT_EQ(progress.eta_seconds, 2.5);
}

TEST(ProgressDisplayTest, PlainLinesAreDueFirstThenEveryIntervalAndOnStateChanges) {
    LineThrottle throttle(5000);
    EXPECT_TRUE(throttle.Due(100, "running"));
    EXPECT_FALSE(throttle.Due(1000, "running"));
    EXPECT_FALSE(throttle.Due(5099, "running"));
    EXPECT_TRUE(throttle.Due(5100, "running"));
    EXPECT_TRUE(throttle.Due(5200, "completed"));
    EXPECT_FALSE(throttle.Due(5300, "completed"));
}

}  // namespace
}  // namespace contactd::app
