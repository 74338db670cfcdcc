#include "ingest/ndjson_splitter.hpp"

#include <algorithm>
#include <cstring>

namespace contactd::ingest {

namespace {

bool IsBlankByte(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Real items start with '{', so this usually stops at the first byte.
bool IsBlank(std::string_view text) { return std::all_of(text.begin(), text.end(), IsBlankByte); }

}  // namespace

NdjsonSplitter::NdjsonSplitter(std::uint64_t max_item_bytes) : max_item_bytes_(max_item_bytes) {}

bool NdjsonSplitter::Feed(std::string_view bytes, const BatchItemSink& sink) {
    if (stopped_) return false;
    if (bytes.empty()) return true;  // its data() may be null, which memchr must not see
    const std::uint64_t base = bytes_fed_;
    bytes_fed_ += bytes.size();
    const char* const data = bytes.data();
    const std::size_t size = bytes.size();
    std::size_t line_start = 0;
    if (partial_open_) {
        const auto* newline = static_cast<const char*>(std::memchr(data, '\n', size));
        if (newline == nullptr) {
            KeepPartial(bytes);
            return true;
        }
        const auto line_end = static_cast<std::size_t>(newline - data);
        KeepPartial(bytes.substr(0, line_end));
        if (!EmitPartial(/*ended_by_lf=*/true, sink)) return false;
        line_start = line_end + 1;
    }
    while (line_start < size) {
        const auto* newline = static_cast<const char*>(std::memchr(data + line_start, '\n', size - line_start));
        if (newline == nullptr) {
            partial_open_ = true;
            partial_offset_ = base + line_start;
            KeepPartial(bytes.substr(line_start));
            break;
        }
        const auto line_end = static_cast<std::size_t>(newline - data);
        std::string_view line(data + line_start, line_end - line_start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!EmitLine(line, base + line_start, sink)) return false;
        line_start = line_end + 1;
    }
    return true;
}

bool NdjsonSplitter::Finish(const BatchItemSink& sink) {
    if (stopped_) return false;
    if (partial_open_) return EmitPartial(/*ended_by_lf=*/false, sink);
    return true;
}

bool NdjsonSplitter::EmitLine(std::string_view line, std::uint64_t offset, const BatchItemSink& sink) {
    if (IsBlank(line)) return true;
    const bool too_large = line.size() > max_item_bytes_;
    const BatchItem item{too_large ? std::string_view() : line, offset, line.size(), too_large};
    if (!sink(item)) {
        stopped_ = true;
        return false;
    }
    return true;
}

bool NdjsonSplitter::EmitPartial(bool ended_by_lf, const BatchItemSink& sink) {
    partial_open_ = false;
    if (!partial_skipped_) {
        std::string_view line = partial_;
        if (ended_by_lf && !line.empty() && line.back() == '\r') line.remove_suffix(1);
        const bool keep_going = EmitLine(line, partial_offset_, sink);
        partial_.clear();
        return keep_going;
    }
    // An outgrown line: its bytes are gone, but its size and blankness are known.
    const std::uint64_t size = partial_size_ - (ended_by_lf && partial_ends_with_cr_ ? 1 : 0);
    const bool blank = partial_blank_;
    partial_size_ = 0;
    partial_skipped_ = false;
    partial_blank_ = true;
    partial_ends_with_cr_ = false;
    if (blank) return true;
    if (!sink(BatchItem{std::string_view(), partial_offset_, size, /*too_large=*/true})) {
        stopped_ = true;
        return false;
    }
    return true;
}

void NdjsonSplitter::KeepPartial(std::string_view bytes) {
    if (!partial_skipped_) {
        // One byte over the limit may still be the CR of a CRLF line end.
        const std::uint64_t limit = max_item_bytes_ + 1;
        const std::uint64_t needed = partial_.size() + bytes.size();
        if (needed <= limit) {
            if (needed > partial_.capacity()) {
                // Grow to an exact size (std::string::reserve may double past the limit).
                std::string grown;
                grown.reserve(static_cast<std::size_t>(
                    std::min(limit, std::max<std::uint64_t>(needed, 2 * partial_.capacity()))));
                grown.append(partial_);
                partial_.swap(grown);
            }
            partial_.append(bytes);
            return;
        }
        // The line outgrows the limit: from here on only its size, blankness and last byte are tracked.
        partial_skipped_ = true;
        partial_size_ = partial_.size();
        partial_blank_ = IsBlank(partial_);
        partial_ends_with_cr_ = !partial_.empty() && partial_.back() == '\r';
        partial_.clear();
    }
    if (bytes.empty()) return;
    partial_size_ += bytes.size();
    if (partial_blank_) partial_blank_ = IsBlank(bytes);
    partial_ends_with_cr_ = bytes.back() == '\r';
}

}  // namespace contactd::ingest
