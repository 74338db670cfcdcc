// ingest batch input: NDJSON and JSON batch bodies cut into items (and gzip inflated), beside the physical
// references — simdjson's own multi-document passes over the same bytes, and a bare zlib inflate loop. The
// body is ~64 MB of realistic contact items, generated deterministically. Every benchmark checks its answer
// (item count and a checksum of item offsets, against offsets computed while the body was generated) on
// every iteration, so a fast wrong answer fails instead of reporting a figure.
//
// Bodies are fed in 64 KiB pieces, as an HTTP server hands them over. Real time is reported (one thread).
#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/gzip_decoder.hpp"
#include "ingest/item_syntax.hpp"
#include "ingest/json_batch_splitter.hpp"
#include "ingest/ndjson_splitter.hpp"

namespace {

using contactd::ingest::BatchItem;
using contactd::ingest::BatchItemSink;

constexpr std::size_t kTargetBodyBytes = std::size_t{64} << 20;
constexpr std::size_t kPieceBytes = std::size_t{64} << 10;

//! Order-sensitive digest of item offsets, the same in every benchmark and in the reference.
struct OffsetDigest {
    std::uint64_t count = 0;
    std::uint64_t hash = 0xcbf29ce484222325ULL;

    void Add(std::uint64_t offset) {
        ++count;
        hash = (hash ^ offset) * 0x100000001b3ULL;
    }
    bool operator==(const OffsetDigest&) const = default;
};

//! A deterministic, realistic contact item: names, 1-3 e-mails and phones, tags, 6 custom fields, notes.
std::string MakeItem(std::mt19937_64& random, std::uint64_t index) {
    static constexpr std::string_view kFirst[] = {"María José", "Zoë",  "Jean-Luc", "Ana",    "Søren", "Mohammed",
                                                  "Li",         "Olga", "Kwame",    "Ingrid", "Pedro", "Aiko"};
    static constexpr std::string_view kLast[] = {"García-López", "Müller",   "O'Neill", "Nakamura", "Dubois",
                                                 "Kowalski",     "Andersen", "Silva",   "Okafor",   "Nguyen"};
    static constexpr std::string_view kTags[] = {"vip",  "madrid",     "q3-campaign", "newsletter", "partner",
                                                 "lead", "churn-risk", "enterprise",  "trial",      "webinar-2026"};
    static constexpr std::string_view kWords[] = {
        "called",  "about", "renewal", "prefers",    "e-mail",    "contract", "budget",         "next",
        "quarter", "met",   "at",      "conference", "follow-up", "pricing",  "\\\"urgent\\\"", "décision"};
    const auto pick = [&](const auto& list) { return std::string(list[random() % std::size(list)]); };
    const auto digits = [&](int count) {
        std::string out;
        for (int i = 0; i < count; ++i) out.push_back(static_cast<char>('0' + random() % 10));
        return out;
    };
    std::string item = "{\"ref\":\"row-" + std::to_string(index) + "\",\"first_name\":\"" + pick(kFirst) +
                       "\",\"last_name\":\"" + pick(kLast) + "\",\"company_name\":\"Acme " + digits(3) +
                       " S.L.\",\"title\":\"Head of Procurement\",\"emails\":[";
    const int emails = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < emails; ++i) {
        item += (i ? ",\"" : "\"") + std::string("user") + digits(6) + "@example" + std::to_string(i) + ".com\"";
    }
    item += "],\"phones\":[";
    const int phones = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < phones; ++i) item += (i ? ",\"+34 6" : "\"+34 6") + digits(8) + "\"";
    item += "],\"tags\":{\"add\":[";
    const int tags = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < tags; ++i) item += (i ? ",\"" : "\"") + pick(kTags) + "\"";
    item +=
        "]},\"status\":\"Qualified\",\"priority\":" + std::to_string(1 + random() % 5) +
        ",\"country_code\":\"ES\",\"language\":\"es\",\"email_marketing_opt_in\":" + (random() % 2 ? "true" : "false") +
        ",\"external_reference_id\":\"crm-" + digits(6) +
        "\",\"custom_fields\":{\"profile_field_1\":\"Enterprise\",\"profile_field_2\":" +
        std::to_string(random() % 100000) + ".5,\"profile_field_3\":" + std::to_string(random() % 100) +
        ",\"profile_field_4\":\"2026-01-" + digits(1) +
        "5T10:30:00Z\",\"profile_field_5\":\"L\\u00ednea 1\\nL\\u00ednea 2\",\"profile_field_6\":null},\"notes\":\"";
    const int words = 10 + static_cast<int>(random() % 50);
    for (int i = 0; i < words; ++i) item += (i ? " " : "") + pick(kWords);
    item += "\"}";
    return item;
}

//! The bodies and what a correct reader must find in them.
struct Corpus {
    std::string ndjson;
    simdjson::padded_string ndjson_padded;
    OffsetDigest ndjson_expected;  // line starts
    std::string json;
    OffsetDigest json_expected;  // element starts
    std::size_t items = 0;
};

const Corpus& GetCorpus() {
    static const Corpus corpus = [] {
        Corpus built;
        std::mt19937_64 random(20260115);
        built.json = "{\"mode\":\"upsert\",\"semantics\":\"patch\",\"items\":[\n";
        while (built.ndjson.size() < kTargetBodyBytes) {
            const std::string item = MakeItem(random, built.items);
            built.ndjson_expected.Add(built.ndjson.size());
            built.ndjson += item;
            built.ndjson += built.items % 10 == 9 ? "\r\n" : "\n";  // some CRLF, as Windows clients send
            if (built.items > 0) built.json += ",\n";
            built.json_expected.Add(built.json.size());
            built.json += item;
            ++built.items;
        }
        built.json += "\n],\"dry_run\":false}\n";
        built.ndjson_padded = simdjson::padded_string(built.ndjson);
        return built;
    }();
    return corpus;
}

const std::string& GzipOfNdjson() {
    static const std::string gzip = [] {
        const std::string& body = GetCorpus().ndjson;
        z_stream stream{};
        deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
        std::string out(deflateBound(&stream, static_cast<uLong>(body.size())), '\0');
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
        stream.avail_in = static_cast<uInt>(body.size());
        stream.next_out = reinterpret_cast<Bytef*>(out.data());
        stream.avail_out = static_cast<uInt>(out.size());
        if (deflate(&stream, Z_FINISH) != Z_STREAM_END) out.clear();
        out.resize(stream.total_out);
        deflateEnd(&stream);
        return out;
    }();
    return gzip;
}

//! Sampled digest of decompressed bytes: every 4096th byte with its position. Cheap enough not to weigh on
//! the inflate figures, and any lost, duplicated or shifted chunk changes it.
struct ByteDigest {
    std::uint64_t position = 0;
    std::uint64_t hash = 0;

    void Add(std::string_view bytes) {
        const std::uint64_t end = position + bytes.size();
        for (std::uint64_t at = (position + 4095) / 4096 * 4096; at < end; at += 4096) {
            hash = (hash ^ (at + static_cast<unsigned char>(bytes[at - position]))) * 0x100000001b3ULL;
        }
        position = end;
    }
    bool operator==(const ByteDigest&) const = default;
};

ByteDigest ExpectedByteDigest() {
    ByteDigest digest;
    digest.Add(GetCorpus().ndjson);
    return digest;
}

void Report(benchmark::State& state, std::size_t body_bytes) {
    const auto iterations = static_cast<std::int64_t>(state.iterations());
    state.SetBytesProcessed(iterations * static_cast<std::int64_t>(body_bytes));
    state.SetItemsProcessed(iterations * static_cast<std::int64_t>(GetCorpus().items));
}

//! Feeds `body` to `feed` in kPieceBytes pieces.
template <typename Feed>
void FeedInPieces(std::string_view body, Feed&& feed) {
    for (std::size_t from = 0; from < body.size(); from += kPieceBytes) feed(body.substr(from, kPieceBytes));
}

// (a) NDJSON splitting alone.
void BM_NdjsonSplitter(benchmark::State& state) {
    const Corpus& corpus = GetCorpus();
    for (auto _ : state) {
        contactd::ingest::NdjsonSplitter splitter;
        OffsetDigest digest;
        const BatchItemSink sink = [&](const BatchItem& item) {
            digest.Add(item.offset);
            return !item.too_large;
        };
        FeedInPieces(corpus.ndjson, [&](std::string_view piece) { splitter.Feed(piece, sink); });
        splitter.Finish(sink);
        if (!(digest == corpus.ndjson_expected)) return state.SkipWithError("NdjsonSplitter found other items");
    }
    Report(state, corpus.ndjson.size());
}
BENCHMARK(BM_NdjsonSplitter)->Unit(benchmark::kMillisecond)->UseRealTime();

// (b) NDJSON splitting plus full validation of every item, as the batch route does.
void BM_NdjsonSplitterWithItemSyntax(benchmark::State& state) {
    const Corpus& corpus = GetCorpus();
    contactd::ingest::ItemSyntaxChecker checker;
    for (auto _ : state) {
        contactd::ingest::NdjsonSplitter splitter;
        OffsetDigest digest;
        const BatchItemSink sink = [&](const BatchItem& item) {
            const contactd::ingest::ItemSyntaxResult result = checker.Check(item.bytes);
            if (result.valid() && result.is_object) digest.Add(item.offset);
            return true;
        };
        FeedInPieces(corpus.ndjson, [&](std::string_view piece) { splitter.Feed(piece, sink); });
        splitter.Finish(sink);
        if (!(digest == corpus.ndjson_expected)) return state.SkipWithError("some items were not valid objects");
    }
    Report(state, corpus.ndjson.size());
}
BENCHMARK(BM_NdjsonSplitterWithItemSyntax)->Unit(benchmark::kMillisecond)->UseRealTime();

// (c) Reference: simdjson's DOM parse_many over the whole body at once (full validation of every document;
// single-threaded like the code above).
void BM_BareSimdjsonParseMany(benchmark::State& state) {
    const Corpus& corpus = GetCorpus();
    simdjson::dom::parser parser;
    parser.threaded = false;
    for (auto _ : state) {
        OffsetDigest digest;
        simdjson::dom::document_stream stream;
        if (parser.parse_many(corpus.ndjson_padded).get(stream)) return state.SkipWithError("parse_many failed");
        for (auto it = stream.begin(); it != stream.end(); ++it) {
            simdjson::dom::element document;
            if ((*it).get(document) || !document.is_object()) return state.SkipWithError("a document failed");
            digest.Add(it.current_index());
        }
        if (!(digest == corpus.ndjson_expected)) return state.SkipWithError("parse_many found other documents");
    }
    Report(state, corpus.ndjson.size());
}
BENCHMARK(BM_BareSimdjsonParseMany)->Unit(benchmark::kMillisecond)->UseRealTime();

// (c') Reference floor: On Demand iterate_many, which finds the documents (stage 1: structure and UTF-8) but
// parses only what is visited — here just each root's type.
void BM_BareSimdjsonIterateMany(benchmark::State& state) {
    const Corpus& corpus = GetCorpus();
    simdjson::ondemand::parser parser;
    parser.threaded = false;
    for (auto _ : state) {
        OffsetDigest digest;
        simdjson::ondemand::document_stream stream;
        if (parser.iterate_many(corpus.ndjson_padded).get(stream)) return state.SkipWithError("iterate_many failed");
        for (auto it = stream.begin(); it != stream.end(); ++it) {
            simdjson::ondemand::json_type type;
            if ((*it).type().get(type) || type != simdjson::ondemand::json_type::object) {
                return state.SkipWithError("a document failed");
            }
            digest.Add(it.current_index());
        }
        if (!(digest == corpus.ndjson_expected)) return state.SkipWithError("iterate_many found other documents");
    }
    Report(state, corpus.ndjson.size());
}
BENCHMARK(BM_BareSimdjsonIterateMany)->Unit(benchmark::kMillisecond)->UseRealTime();

// (d) The same items as one JSON document, split while its structure is checked.
void BM_JsonBatchSplitter(benchmark::State& state) {
    const Corpus& corpus = GetCorpus();
    for (auto _ : state) {
        contactd::ingest::JsonBatchSplitter splitter;
        OffsetDigest digest;
        bool failed = false;
        const BatchItemSink sink = [&](const BatchItem& item) {
            digest.Add(item.offset);
            return !item.too_large;
        };
        FeedInPieces(corpus.json, [&](std::string_view piece) { failed = splitter.Feed(piece, sink) || failed; });
        failed = splitter.Finish() || failed;
        if (failed || !(digest == corpus.json_expected) || splitter.members().size() != 3) {
            return state.SkipWithError("JsonBatchSplitter found other items or options");
        }
    }
    Report(state, corpus.json.size());
}
BENCHMARK(BM_JsonBatchSplitter)->Unit(benchmark::kMillisecond)->UseRealTime();

// (d') Reference: simdjson's DOM parse of the whole JSON document (held whole, as SPEC §6 would allow).
void BM_BareSimdjsonParseJsonDocument(benchmark::State& state) {
    const Corpus& corpus = GetCorpus();
    const simdjson::padded_string padded(corpus.json);
    simdjson::dom::parser parser;
    for (auto _ : state) {
        simdjson::dom::array items;
        if (parser.parse(padded)["items"].get_array().get(items) || items.size() != corpus.items) {
            return state.SkipWithError("simdjson found other items");
        }
        benchmark::DoNotOptimize(items);
    }
    Report(state, corpus.json.size());
}
BENCHMARK(BM_BareSimdjsonParseJsonDocument)->Unit(benchmark::kMillisecond)->UseRealTime();

// (e) Inflating a gzip of the NDJSON body.
void BM_GzipDecoder(benchmark::State& state) {
    const std::string& gzip = GzipOfNdjson();
    const ByteDigest expected = ExpectedByteDigest();
    for (auto _ : state) {
        contactd::ingest::GzipDecoder decoder;
        ByteDigest digest;
        bool failed = false;
        const contactd::ingest::GzipSink sink = [&](std::string_view bytes) {
            digest.Add(bytes);
            return true;
        };
        FeedInPieces(gzip, [&](std::string_view piece) { failed = decoder.Feed(piece, sink) || failed; });
        failed = decoder.Finish() || failed;
        if (failed || !(digest == expected)) return state.SkipWithError("GzipDecoder gave other bytes");
    }
    Report(state, GetCorpus().ndjson.size());
    state.counters["compressed_MB"] = static_cast<double>(gzip.size()) / 1e6;
}
BENCHMARK(BM_GzipDecoder)->Unit(benchmark::kMillisecond)->UseRealTime();

// (e') Reference: a bare zlib inflate loop over the whole gzip with the same output buffer size.
void BM_BareZlibInflate(benchmark::State& state) {
    const std::string& gzip = GzipOfNdjson();
    const ByteDigest expected = ExpectedByteDigest();
    std::vector<char> output(contactd::ingest::kGzipOutputChunkBytes);
    for (auto _ : state) {
        z_stream stream{};
        inflateInit2(&stream, 16 + MAX_WBITS);
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
        stream.avail_in = static_cast<uInt>(gzip.size());
        ByteDigest digest;
        int status = Z_OK;
        while (status == Z_OK) {
            stream.next_out = reinterpret_cast<Bytef*>(output.data());
            stream.avail_out = static_cast<uInt>(output.size());
            status = inflate(&stream, Z_NO_FLUSH);
            digest.Add(std::string_view(output.data(), output.size() - stream.avail_out));
        }
        inflateEnd(&stream);
        if (status != Z_STREAM_END || !(digest == expected)) return state.SkipWithError("zlib gave other bytes");
    }
    Report(state, GetCorpus().ndjson.size());
}
BENCHMARK(BM_BareZlibInflate)->Unit(benchmark::kMillisecond)->UseRealTime();

// (f) The whole gzip NDJSON path: inflate, split, validate every item.
void BM_GzipNdjsonPipeline(benchmark::State& state) {
    const Corpus& corpus = GetCorpus();
    const std::string& gzip = GzipOfNdjson();
    contactd::ingest::ItemSyntaxChecker checker;
    for (auto _ : state) {
        contactd::ingest::GzipDecoder decoder;
        contactd::ingest::NdjsonSplitter splitter;
        OffsetDigest digest;
        bool failed = false;
        const BatchItemSink item_sink = [&](const BatchItem& item) {
            const contactd::ingest::ItemSyntaxResult result = checker.Check(item.bytes);
            if (result.valid() && result.is_object) digest.Add(item.offset);
            return true;
        };
        const contactd::ingest::GzipSink bytes_sink = [&](std::string_view bytes) {
            return splitter.Feed(bytes, item_sink);
        };
        FeedInPieces(gzip, [&](std::string_view piece) { failed = decoder.Feed(piece, bytes_sink) || failed; });
        failed = decoder.Finish() || failed;
        splitter.Finish(item_sink);
        if (failed || !(digest == corpus.ndjson_expected)) return state.SkipWithError("the pipeline found other items");
    }
    Report(state, corpus.ndjson.size());
}
BENCHMARK(BM_GzipNdjsonPipeline)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
