#pragma once
// A contact's custom field values by slug: the subset of std::map's interface the engine uses, over one sorted
// vector. A contact holds a handful of custom fields and is copied and destroyed several times on its way
// through a batch (read, folded, written); a map node per field made those copies a measurable share of the
// batch workers' time, where a vector is one allocation.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace contactd::engine {

//! Unix time in milliseconds; every timestamp and date value in the engine is one of these.
using Millis = std::int64_t;

//! A date custom-field value, distinct from a number so that a variant can tell them apart.
struct DateValue {
    Millis millis = 0;
    friend bool operator==(const DateValue&, const DateValue&) = default;
};

//! A custom field value: text, number, boolean or date (a slug without a value is null).
using CustomValue = std::variant<std::string, double, bool, DateValue>;

//! Custom field values by slug, in slug order; a missing slug is null.
class CustomFields {
  public:
    using value_type = std::pair<std::string, CustomValue>;
    using iterator = std::vector<value_type>::iterator;
    using const_iterator = std::vector<value_type>::const_iterator;

    CustomFields() = default;
    CustomFields(std::initializer_list<value_type> fields) {
        for (const value_type& field : fields) emplace(field.first, field.second);
    }

    const_iterator begin() const { return fields_.begin(); }
    const_iterator end() const { return fields_.end(); }
    iterator begin() { return fields_.begin(); }
    iterator end() { return fields_.end(); }
    std::size_t size() const { return fields_.size(); }
    bool empty() const { return fields_.empty(); }
    void reserve(std::size_t count) { fields_.reserve(count); }

    const_iterator find(std::string_view slug) const {
        const auto it = LowerBound(slug);
        return it != fields_.end() && it->first == slug ? it : fields_.end();
    }
    iterator find(std::string_view slug) {
        const auto it = LowerBound(slug);
        return it != fields_.end() && it->first == slug ? it : fields_.end();
    }
    std::size_t count(std::string_view slug) const { return find(slug) == end() ? 0 : 1; }
    bool contains(std::string_view slug) const { return find(slug) != end(); }
    //! The value of a slug that is present (as std::map::at: throws std::out_of_range otherwise).
    const CustomValue& at(std::string_view slug) const {
        const auto it = find(slug);
        if (it == fields_.end()) throw std::out_of_range("no custom field " + std::string(slug));
        return it->second;
    }

    //! Adds a slug that is absent; a present one keeps its value. Returns where it is and whether it was added.
    std::pair<iterator, bool> emplace(std::string slug, CustomValue value) {
        const auto it = LowerBound(slug);
        if (it != fields_.end() && it->first == slug) return {it, false};
        return {fields_.emplace(it, std::move(slug), std::move(value)), true};
    }
    //! Sets a slug's value, adding the slug when absent.
    void insert_or_assign(std::string slug, CustomValue value) {
        const auto it = LowerBound(slug);
        if (it != fields_.end() && it->first == slug) {
            it->second = std::move(value);
        } else {
            fields_.emplace(it, std::move(slug), std::move(value));
        }
    }
    //! The value of a slug, added (as an empty text) when absent.
    CustomValue& operator[](const std::string& slug) { return emplace(slug, CustomValue{}).first->second; }
    std::size_t erase(std::string_view slug) {
        const auto it = find(slug);
        if (it == fields_.end()) return 0;
        fields_.erase(it);
        return 1;
    }

    friend bool operator==(const CustomFields&, const CustomFields&) = default;

  private:
    const_iterator LowerBound(std::string_view slug) const {
        return std::lower_bound(fields_.begin(), fields_.end(), slug,
                                [](const value_type& field, std::string_view key) { return field.first < key; });
    }
    iterator LowerBound(std::string_view slug) {
        return std::lower_bound(fields_.begin(), fields_.end(), slug,
                                [](const value_type& field, std::string_view key) { return field.first < key; });
    }

    std::vector<value_type> fields_;
};

}  // namespace contactd::engine
