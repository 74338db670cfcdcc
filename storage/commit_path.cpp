#include <pqxx/except>
#include <pqxx/result>

#include "storage/commit_path.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "engine/uuid.hpp"
#include "storage/contact_claims.hpp"
#include "storage/contact_row.hpp"
#include "storage/ids.hpp"
#include "storage/pg_array.hpp"
#include "storage/sql_params.hpp"
#include "storage/stopwatch.hpp"

namespace contactd::storage {

namespace {

using engine::Contact;
using engine::UniqueClaim;
using engine::UniqueKind;

// Step 1 is two statements. The first reads the contacts whose identifier is one of the items' identifier
// values: one descent of contacts_by_identifier straight to the row, where going through contact_keys costs two
// descents and a heap fetch more. The contact found holds the value (an identifier is always one of its
// contact's claims). Most batch items select their contact this way, and most chunks need nothing else.
//
// The second, only when there is more to find, reads the contacts addressed by id or alias ($2) and those
// holding any other value ($3 kinds, $4 values), among them the identifier values the first found no contact
// for: such a value may still be another contact's second phone or e-mail. After each contact come its row's
// ctid and (second statement) the requested ids or aliases that resolved to it. Two plain statements cost
// PostgreSQL less than one that keeps the first's rows in a CTE to exclude them from the second (about 2.5 ms
// on a 700-row chunk, measured): the few contacts both find are simply read twice and kept once.
//
// No row lock, and the two statements may see different snapshots (READ COMMITTED): the update in step 4
// checks the version of every contact it writes, and the claims' unique index every value taken, so a
// contact that changed between the statements fails the run for a retry, as one changed after the read does.
//
// Every lookup is an index probe per value (LATERAL ... LIMIT 1, and `= ANY` on an index), whatever the
// planner's statistics say: during a bulk load they lag far behind, and a hash join over the whole
// workspace's claims would cost more than the chunk itself.
const std::string kIdentifiedSql = std::string("SELECT ") + kContactSelectList +
                                   ", c.ctid::text FROM contacts c WHERE c.workspace_id = $1 "
                                   "AND c.identifier = ANY($2::text[])";
const std::string kOthersSql =
    std::string(
        "WITH requested AS ("
        "  SELECT w.wanted, coalesce(a.contact_id, w.wanted) AS contact_id FROM unnest($2::uuid[]) AS w(wanted)"
        "  LEFT JOIN LATERAL (SELECT contact_id FROM contact_aliases"
        "                     WHERE workspace_id = $1 AND alias_id = w.wanted LIMIT 1) a ON true"
        "), holders AS ("
        "  SELECT k.contact_id FROM unnest($3::int2[], $4::text[]) AS v(kind, value),"
        "  LATERAL (SELECT contact_id FROM contact_keys"
        "           WHERE workspace_id = $1 AND kind = v.kind AND value = v.value LIMIT 1) k"
        ") SELECT ") +
    kContactSelectList +
    ", c.ctid::text, (SELECT array_agg(r.wanted::text) FROM requested r WHERE r.contact_id = c.id) "
    "FROM contacts c WHERE c.workspace_id = $1 AND c.id = ANY(ARRAY("
    "  SELECT contact_id FROM requested UNION SELECT contact_id FROM holders))";  // unordered: rows go to a map

// Where the commit path's columns end in a row of either statement: the ctid, then the requested ids.
constexpr pqxx::row::size_type kCtidColumn = kContactColumnCount;
constexpr pqxx::row::size_type kWantedColumn = kContactColumnCount + 1;

// Every unique value the items could claim: what step 1 must find the holders of.
void MentionedClaims(const engine::ContactWrite& write, engine::IdentifierField field, std::vector<UniqueClaim>& out) {
    const auto add_list = [&](UniqueKind kind, const std::optional<engine::ListChange>& change) {
        if (!change) return;
        for (const auto& value : change->values) out.push_back({kind, value});
        for (const auto& value : change->add) out.push_back({kind, value});
    };
    add_list(UniqueKind::kEmail, write.emails);
    if (write.email && *write.email) out.push_back({UniqueKind::kEmail, **write.email});
    if (field == engine::IdentifierField::kPhone) {
        add_list(UniqueKind::kPhone, write.phones);
        if (write.phone && *write.phone) out.push_back({UniqueKind::kPhone, **write.phone});
    }
    if (write.values.whatsapp) out.push_back({UniqueKind::kWhatsapp, *write.values.whatsapp});
    if (write.values.external_reference_id) {
        out.push_back({UniqueKind::kExternalReferenceId, *write.values.external_reference_id});
    }
}

}  // namespace

LoadedContacts LoadTouched(pqxx::transaction_base& txn, const CommitRequest& request,
                           std::span<const CommitItem> items) {
    const engine::IdentifierField field = request.settings.identifier_field;
    LoadedContacts loaded;
    std::vector<UniqueClaim> mentioned_values;
    // Every item's identifier value, with how items select by it (one hash lookup a mentioned value below,
    // where three sorted sets of up to a chunk's worth of values each were a measurable share of the read).
    enum IdentifierUse : std::uint8_t {
        kIdentifier = 1,  // some item's identifier value
        kSelector = 2,    // an item selects by it and must have it looked up
        kCreating = 4,    // an item selects by it and creates a contact when nothing holds it
    };
    std::vector<std::pair<std::string, std::uint8_t>> identifier_values;
    const UniqueKind identifier_kind = engine::IdentifierKind(field);
    for (const CommitItem& item : items) {
        if (!item.write) continue;
        if (request.options.mode != engine::WriteMode::kCreate && item.write->id) {
            if (auto id = engine::CanonicalUuid(*item.write->id)) loaded.requested.push_back(std::move(*id));
        }
        MentionedClaims(*item.write, field, mentioned_values);
        auto value = engine::IdentifierValueOf(*item.write, field);
        if (!value) continue;
        std::uint8_t use = kIdentifier;
        if (request.skip_unseen) {
            // "No contact has it" becomes a claim of the value, which the unique index checks, only when the
            // item creates a contact: not in update mode, not with an expected version or an id.
            const bool creates_if_absent =
                request.options.mode != engine::WriteMode::kUpdate && !item.write->expected_version && !item.write->id;
            use |= creates_if_absent ? kCreating : kSelector;
        }
        identifier_values.emplace_back(std::move(*value), use);
    }
    std::sort(loaded.requested.begin(), loaded.requested.end());
    loaded.requested.erase(std::unique(loaded.requested.begin(), loaded.requested.end()), loaded.requested.end());
    loaded.mentioned = ClaimSet(std::move(mentioned_values));
    std::unordered_map<std::string_view, std::uint8_t> identifier_uses;
    identifier_uses.reserve(identifier_values.size());
    for (const auto& [value, use] : identifier_values) identifier_uses[value] |= use;
    const auto use_of = [&](const UniqueClaim& claim) -> std::uint8_t {
        if (claim.kind != identifier_kind) return 0;
        const auto found = identifier_uses.find(claim.value);
        return found == identifier_uses.end() ? 0 : found->second;
    };
    // A value no one has been seen to hold is not looked up, unless an item selects its contact by it and
    // "no contact has it" would decide its outcome without a write (CONTACT_NOT_FOUND in update mode,
    // VERSION_CONFLICT): a value an item claims is left for the claim INSERT to check, and the selector of an
    // item that would create a contact is checked before the results stand if the item claims nothing.
    ClaimFilter* const seen = request.claims_seen;
    std::vector<UniqueClaim> unlooked_selectors;
    std::vector<const UniqueClaim*> identifier_lookups;  // the first statement's
    std::vector<const UniqueClaim*> other_lookups;       // the second's, with the identifiers it did not find
    for (const UniqueClaim& claim : loaded.mentioned) {
        const std::uint8_t use = use_of(claim);
        if (request.skip_unseen && seen != nullptr && (use & kSelector) == 0 &&
            !seen->MayHold(claim.kind, claim.value)) {
            if ((use & kCreating) != 0) unlooked_selectors.push_back(claim);
            continue;
        }
        if ((use & kIdentifier) != 0) {
            identifier_lookups.push_back(&claim);
        } else {
            other_lookups.push_back(&claim);
        }
    }
    loaded.unlooked_selectors = ClaimSet(std::move(unlooked_selectors));
    // Keeps a contact read (the first time it is read) and the requested ids that resolved to it.
    const auto take = [&](const pqxx::row& row, bool with_wanted) {
        Contact contact = ContactFromRow(row, request.settings);
        if (with_wanted && !row[kWantedColumn].is_null()) {
            for (std::string& id : ParsePgTextArray(row[kWantedColumn].c_str()).value_or(std::vector<std::string>{})) {
                loaded.id_of_requested.emplace(std::move(id), contact.id);
            }
        }
        if (loaded.by_id.contains(contact.id)) return;
        loaded.row_of.emplace(contact.id, row[kCtidColumn].c_str());
        // A read that looked every value up teaches the filter what it missed (a retry after its miss, or a
        // read before it was loaded); a read that trusted it found only values it has already seen, or values
        // items select by, which no item can be refused for.
        if (seen != nullptr && !request.skip_unseen) {
            engine::ForEachUniqueValue(contact, field, [&](UniqueKind kind, const std::string& value) {
                if (!seen->MayHold(kind, value)) seen->Add(kind, value);
            });
        }
        std::string id = contact.id;
        loaded.by_id.emplace(std::move(id), std::move(contact));
    };
    if (!identifier_lookups.empty()) {
        PgArrayBuilder lookups;
        for (const UniqueClaim* claim : identifier_lookups) lookups.Add(claim->value);
        SqlParams params;
        params.Add(request.settings.id).Add(lookups.Finish());
        const pqxx::result rows = params.ExecFixed(txn, kIdentifiedSql);
        std::unordered_set<std::string_view> found;
        found.reserve(rows.size());
        for (const pqxx::row& row : rows) {
            take(row, /*with_wanted=*/false);
            const pqxx::field identifier = row[kIdentifierColumn];
            if (!identifier.is_null()) found.emplace(identifier.c_str(), identifier.size());
        }
        for (const UniqueClaim* claim : identifier_lookups) {
            if (!found.contains(claim->value)) other_lookups.push_back(claim);
        }
    }
    if (loaded.requested.empty() && other_lookups.empty()) return loaded;
    PgArrayBuilder requested;
    for (const std::string& id : loaded.requested) requested.Add(id);
    PgArrayBuilder kinds;
    PgArrayBuilder values;
    for (const UniqueClaim* claim : other_lookups) {
        kinds.Add(ClaimKindText(claim->kind));
        values.Add(claim->value);
    }
    SqlParams params;
    params.Add(request.settings.id).Add(requested.Finish()).Add(kinds.Finish()).Add(values.Finish());
    for (const pqxx::row& row : params.ExecFixed(txn, kOthersSql)) take(row, /*with_wanted=*/true);
    return loaded;
}

namespace {

// The values a read looked for, hashed: a committed run changes up to a chunk's worth of contacts, each with
// several values, and a binary search of the sorted set for each was a measurable share of the fold-ahead.
class MentionedValues {
  public:
    explicit MentionedValues(const ClaimSet& mentioned) {
        values_.reserve(mentioned.size());
        for (const UniqueClaim& claim : mentioned) values_.insert({claim.kind, claim.value});
    }
    bool contains(UniqueKind kind, std::string_view value) const { return values_.contains({kind, value}); }

  private:
    using Value = std::pair<UniqueKind, std::string_view>;
    struct Hash {
        std::size_t operator()(const Value& value) const noexcept {
            return std::hash<std::string_view>()(value.second) ^ static_cast<std::size_t>(value.first);
        }
    };
    std::unordered_set<Value, Hash> values_;
};

// Whether a fresh read for `loaded` would find `contact` by one of its unique values. Phones count whatever
// the identifier field: taking a contact the read would not have found is harmless, missing one is not.
bool HoldsMentionedValue(const engine::Contact& contact, const MentionedValues& mentioned) {
    const auto any = [&](UniqueKind kind, const std::vector<std::string>& values) {
        return std::any_of(values.begin(), values.end(),
                           [&](const std::string& value) { return mentioned.contains(kind, value); });
    };
    return any(UniqueKind::kEmail, contact.emails) || any(UniqueKind::kPhone, contact.phones) ||
           (contact.whatsapp && mentioned.contains(UniqueKind::kWhatsapp, *contact.whatsapp)) ||
           (contact.external_reference_id &&
            mentioned.contains(UniqueKind::kExternalReferenceId, *contact.external_reference_id));
}

}  // namespace

void ApplyCommittedChanges(LoadedContacts& loaded, const ChangedContacts& committed) {
    const MentionedValues mentioned(loaded.mentioned);
    for (const auto& [id, contact] : committed) {
        const auto read = loaded.by_id.find(id);
        if (read != loaded.by_id.end()) {
            read->second = contact;
            loaded.row_of.erase(id);  // the committed update wrote a new row version elsewhere
            continue;
        }
        const bool requested = std::binary_search(loaded.requested.begin(), loaded.requested.end(), id);
        if (!requested && !HoldsMentionedValue(contact, mentioned)) continue;
        // A contact the run created is now addressable by its id, as a fresh read would resolve it.
        if (requested) loaded.id_of_requested.try_emplace(id, id);
        loaded.by_id.emplace(id, contact);
    }
}

namespace {

//! Step 2: the items folded in order over the loaded contacts, with the unique values held at each step.
class Fold {
  public:
    // The loaded contacts are indexed by view: they stay put, unchanged, for as long as the fold runs.
    Fold(const CommitRequest& request, const LoadedContacts& loaded) : request_(request), loaded_(loaded) {
        const engine::IdentifierField field = request.settings.identifier_field;
        holders_.reserve(loaded.by_id.size() * 4);
        for (const auto& [id, contact] : loaded.by_id) {
            const std::string_view holder = id;
            engine::ForEachUniqueValue(contact, field, [&](UniqueKind kind, const std::string& value) {
                holders_[ValueKey{kind, value}] = holder;
            });
            if (contact.identifier) by_identifier_.emplace(*contact.identifier, holder);
        }
    }

    ItemResult Apply(const CommitItem& item) {
        if (item.decided) return {*item.decided, {}, std::nullopt};
        const Contact* existing = Select(*item.write);
        // A selector value not looked up that found no contact: the result assumes no one holds it, which
        // holds unless the item ends up claiming the value (then the claim INSERT checks it).
        std::optional<UniqueClaim> unconfirmed;
        if (existing == nullptr) unconfirmed = UnlookedSelector(*item.write);
        ItemResult result = ApplyTo(*item.write, existing, unconfirmed);
        if (unconfirmed) to_confirm_.push_back(std::move(*unconfirmed));
        return result;
    }

    //! Contacts the run created or changed, by id, as they now are.
    ChangedContacts TakeChanged() { return std::move(current_); }
    std::vector<UniqueClaim> TakeToConfirm() { return std::move(to_confirm_); }

  private:
    std::optional<UniqueClaim> UnlookedSelector(const engine::ContactWrite& write) const {
        if (loaded_.unlooked_selectors.empty()) return std::nullopt;
        const engine::IdentifierField field = request_.settings.identifier_field;
        auto value = engine::IdentifierValueOf(write, field);
        if (!value || !loaded_.unlooked_selectors.contains(engine::IdentifierKind(field), *value)) return std::nullopt;
        return UniqueClaim{engine::IdentifierKind(field), std::move(*value)};
    }

    // The item applied to the contact it selected; clears `unconfirmed` when the item claims that value.
    ItemResult ApplyTo(const engine::ContactWrite& write, const Contact* existing,
                       std::optional<UniqueClaim>& unconfirmed) {
        // Only a write that selected no contact can create one: an update needs no new id.
        const engine::ApplyContext context{request_.settings, request_.options, request_.now,
                                           existing == nullptr ? NewUuidV7() : std::string()};
        engine::WriteResult result = engine::ApplyWrite(write, existing, context);
        if (!result.outcome.ok() || result.outcome.action == engine::Action::kUnchanged) {
            return {std::move(result.outcome), std::move(result.changed_fields), std::move(result.contact)};
        }
        const Contact& next = *result.contact;
        // Most updates leave every unique value alone: nothing to check or to move between holders.
        if (existing && existing->identifier == next.identifier && engine::SameUniqueValues(*existing, next)) {
            return Keep(std::move(result));
        }
        const ClaimSet before = existing ? ClaimsOf(*existing, request_.settings.identifier_field) : ClaimSet{};
        const ClaimSet after = ClaimsOf(next, request_.settings.identifier_field);
        for (const UniqueClaim& claim : after) {
            if (before.count(claim) != 0) continue;
            const auto holder = holders_.find(ValueKey{claim.kind, claim.value});
            if (holder != holders_.end() && holder->second != next.id) {
                return {engine::DuplicateValueOutcome(claim, std::string(holder->second),
                                                      existing ? existing->id : std::string(), result.outcome.remarks),
                        {},
                        std::nullopt};
            }
        }
        if (unconfirmed && after.count(*unconfirmed) != 0) unconfirmed.reset();
        for (const UniqueClaim& claim : before) {
            if (after.count(claim) == 0) holders_.erase(ValueKey{claim.kind, claim.value});
        }
        const std::string_view holder = Pin(next.id);
        for (const UniqueClaim& claim : after) {
            if (before.count(claim) == 0) holders_[ValueKey{claim.kind, Pin(claim.value)}] = holder;
        }
        if (next.identifier && !by_identifier_.contains(*next.identifier)) {
            by_identifier_.emplace(Pin(*next.identifier), holder);
        }
        return Keep(std::move(result));
    }

    // A unique value, by view: of a loaded contact's own strings, or of strings the fold pins.
    struct ValueKey {
        UniqueKind kind;
        std::string_view value;
        friend bool operator==(const ValueKey&, const ValueKey&) = default;
    };
    struct ValueKeyHash {
        std::size_t operator()(const ValueKey& key) const noexcept {
            return std::hash<std::string_view>()(key.value) ^ static_cast<std::size_t>(key.kind);
        }
    };

    // A copy of `text` that stays put as long as the fold lives, for the maps' views.
    std::string_view Pin(const std::string& text) { return pinned_.emplace_back(text); }

    // Records an applied item's contact as the run's current state of it.
    ItemResult Keep(engine::WriteResult result) {
        if (request_.want_contacts) {
            current_.insert_or_assign(result.contact->id, *result.contact);
            return {std::move(result.outcome), std::move(result.changed_fields), std::move(result.contact)};
        }
        std::string id = result.contact->id;
        current_.insert_or_assign(std::move(id), std::move(*result.contact));
        return {std::move(result.outcome), std::move(result.changed_fields), std::nullopt};
    }

    const Contact* Find(std::string_view id) const {
        if (const auto it = current_.find(id); it != current_.end()) return &it->second;
        if (const auto it = loaded_.by_id.find(id); it != loaded_.by_id.end()) return &it->second;
        return nullptr;
    }

    // The contact an item addresses: by id or alias, else (upsert, update, create) by identifier value.
    const Contact* Select(const engine::ContactWrite& write) const {
        const engine::ContactSelector selector =
            engine::SelectorOf(write, request_.options.mode, request_.settings.identifier_field);
        if (selector.id) {
            const auto id = engine::CanonicalUuid(*selector.id);
            if (!id) return nullptr;
            const auto it = loaded_.id_of_requested.find(*id);
            return it == loaded_.id_of_requested.end() ? nullptr : Find(it->second);
        }
        if (selector.identifier) {
            const auto it = by_identifier_.find(*selector.identifier);
            return it == by_identifier_.end() ? nullptr : Find(it->second);
        }
        return nullptr;
    }

    const CommitRequest& request_;
    const LoadedContacts& loaded_;
    std::unordered_map<ValueKey, std::string_view, ValueKeyHash> holders_;  // unique value → its holder now
    std::unordered_map<std::string_view, std::string_view> by_identifier_;  // identifier value → contact
    std::deque<std::string> pinned_;                                        // what the views above see
    ChangedContacts current_;                                               // contacts changed by the run
    std::vector<UniqueClaim> to_confirm_;                                   // FoldedRun::to_confirm
};

}  // namespace

FoldedRun FoldItems(const CommitRequest& request, LoadedContacts loaded, std::span<const CommitItem> items) {
    FoldedRun run;
    run.loaded = std::move(loaded);
    Fold fold(request, run.loaded);
    run.results.reserve(items.size());
    for (const CommitItem& item : items) run.results.push_back(fold.Apply(item));
    run.changed = std::make_shared<const ChangedContacts>(fold.TakeChanged());
    run.to_confirm = fold.TakeToConfirm();
    return run;
}

namespace {

// Fails the run (for a retry that looks every value up) if a contact holds one of `values`.
void ConfirmUnclaimed(pqxx::transaction_base& txn, const std::string& workspace_id,
                      const std::vector<UniqueClaim>& values) {
    PgArrayBuilder kinds;
    PgArrayBuilder texts;
    for (const UniqueClaim& claim : values) {
        kinds.Add(ClaimKindText(claim.kind));
        texts.Add(claim.value);
    }
    SqlParams params;
    params.Add(workspace_id).Add(kinds.Finish()).Add(texts.Finish());
    const pqxx::result held = params.ExecFixed(
        txn,
        "SELECT 1 FROM unnest($2::int2[], $3::text[]) AS v(kind, value), LATERAL (SELECT 1 FROM contact_keys "
        "WHERE workspace_id = $1 AND kind = v.kind AND value = v.value LIMIT 1) k LIMIT 1");
    if (!held.empty()) {
        throw pqxx::serialization_failure("an identifier the claim filter had not seen is held; retrying the run");
    }
}

// The contact as stored before the run, or nullptr for one the run creates.
const Contact* StoredBefore(const LoadedContacts& loaded, const std::string& id) {
    const auto stored = loaded.by_id.find(id);
    return stored == loaded.by_id.end() ? nullptr : &stored->second;
}

// Whether no claim of a changed contact moves: it was stored, and the run left its unique values alone.
bool KeepsItsClaims(const Contact* stored, const Contact& contact) {
    return stored != nullptr && engine::SameUniqueValues(*stored, contact);
}

}  // namespace

RenderedWrite RenderWrite(const CommitRequest& request, const FoldedRun& run) {
    RenderedWrite rendered;
    if (run.changed->empty()) return rendered;
    const LoadedContacts& loaded = run.loaded;
    // Step 3: release and take the unique values that changed.
    ClaimChanges claims;
    const engine::IdentifierField field = request.settings.identifier_field;
    for (const auto& [id, contact] : *run.changed) {
        const Contact* stored = StoredBefore(loaded, id);
        if (KeepsItsClaims(stored, contact)) continue;
        claims.Diff(stored ? ClaimsOf(*stored, field) : ClaimSet{}, ClaimsOf(contact, field), id);
    }
    // The claim filter is told now, not at the commit: a value it hears of too early (the run then fails, or
    // is never written) costs a lookup, never a result.
    if (request.claims_seen != nullptr) {
        for (const UniqueClaim& claim : claims.taken()) request.claims_seen->Add(claim.kind, claim.value);
    }
    rendered.claims = claims.Render(request.settings.id);
    // Step 4: new contacts in one COPY, changed ones in one UPDATE (one alone: a prepared INSERT or UPDATE).
    ContactWriter writer(request.settings.id);
    for (const auto& [id, contact] : *run.changed) {
        const auto stored = loaded.by_id.find(id);
        if (stored != loaded.by_id.end()) {
            const auto row = loaded.row_of.find(id);
            writer.AddChanged(stored->second, contact,
                              row == loaded.row_of.end() ? std::nullopt : std::optional<std::string>(row->second));
        } else {
            writer.AddNew(contact);
        }
    }
    rendered.contacts = writer.Render();
    return rendered;
}

void WriteFolded(pqxx::transaction_base& txn, const CommitRequest& request, const FoldedRun& run,
                 CommitTimings* timings) {
    if (!run.to_confirm.empty()) ConfirmUnclaimed(txn, request.settings.id, run.to_confirm);
    if (run.changed->empty()) return;
    Stopwatch stopwatch;
    std::optional<RenderedWrite> rendered_now;
    if (!run.rendered) {
        rendered_now = RenderWrite(request, run);
        if (timings) timings->render_us = stopwatch.Lap();
    }
    const RenderedWrite& rendered = run.rendered ? *run.rendered : *rendered_now;
    rendered.claims.Execute(txn);
    if (timings) timings->claims_us = stopwatch.Lap();
    rendered.contacts.Execute(txn);
    if (timings) timings->write_us = stopwatch.Lap();
}

bool WritesAtMostOneStatement(const FoldedRun& run) {
    if (!run.to_confirm.empty()) return false;
    if (run.changed->empty()) return true;
    if (run.changed->size() != 1) return false;
    const auto& [id, contact] = *run.changed->begin();
    return KeepsItsClaims(StoredBefore(run.loaded, id), contact);
}

std::vector<ItemResult> CommitItems(pqxx::transaction_base& txn, const CommitRequest& request,
                                    std::span<const CommitItem> items) {
    FoldedRun run = FoldItems(request, LoadTouched(txn, request, items), items);
    WriteFolded(txn, request, run);
    return std::move(run.results);
}

}  // namespace contactd::storage
