#pragma once
// The commit path: applies a run of write items of one workspace inside one transaction, set-based.
// Single-contact endpoints send a run of one; batch workers send a chunk. Either way the same rules apply.
//
//   1. One statement reads the contacts the items' identifier values name (the contacts_by_identifier index);
//      a second, when there is more to find, resolves ids through aliases and reads every contact holding
//      another unique value the items mention. It takes no lock: batch work of a workspace is serialised by its
//      lane, and a single-contact write racing it is caught in step 4. Batch workers skip the values no
//      contact can hold as far as this process has seen (storage/claim_filter.hpp): a wrong guess is a
//      claim that step 3 cannot take, or an identifier it finds held (FoldedRun::to_confirm), either of
//      which retries the run with every value looked up.
//   2. The engine folds the items in submission order over those contacts, in memory, with the unique
//      values they hold: a value held by another contact makes its item DUPLICATE_VALUE, exactly as if
//      the items had been applied one by one.
//   Batch workers run steps 1 and 2 ahead, on another thread and connection, while the lane's previous
//   chunk is still being written: the read is brought up to date with that chunk's changes and the fold
//   starts from there (storage/chunk_preparation.hpp), and render steps 3 and 4's statements there too
//   (RenderWrite), so the worker only sends them.
//   3. Claims change set-based: one DELETE of released values, one INSERT (a COPY when there are many) of
//      new ones. The unique index has the last word: if a concurrent writer took a value after step 1,
//      the run fails as a serialization failure and is retried whole, finding the new holder.
//   4. One COPY writes the new contacts and one UPDATE the changed ones, each row only if its version is
//      still the one read in step 1; if a concurrent writer changed one meanwhile, the run fails as a
//      serialization failure and is retried whole (optimistic concurrency, no row lock held while folding).
//      The UPDATE goes straight to the row version step 1 read (its ctid) instead of descending the primary
//      key again: a row that moved since (any update moves it) is simply not found, which is the same
//      failure as a changed version.
// Nothing is committed here: the caller commits (with the batch result rows, for batches), so a crash
// loses or duplicates nothing.

#include <pqxx/transaction_base>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/apply.hpp"
#include "engine/contact_write.hpp"
#include "engine/outcome.hpp"
#include "engine/workspace_settings.hpp"
#include "storage/claim_filter.hpp"
#include "storage/contact_claims.hpp"
#include "storage/contact_row.hpp"

namespace contactd::storage {

//! One item to commit: a validated write, or an outcome decided before the database (INVALID_ITEM,
//! ITEM_TOO_LARGE).
struct CommitItem {
    std::optional<engine::ContactWrite> write;
    std::optional<engine::Outcome> decided;
};

//! What the run of items is applied with.
struct CommitRequest {
    const engine::WorkspaceSettings& settings;
    engine::WriteOptions options;
    engine::Millis now = 0;
    //! Whether each OK result carries the contact after its item (single-contact responses need it;
    //! batch results do not, and skipping the copies is measurable).
    bool want_contacts = true;
    //! The unique values this process has seen claimed in the workspace (batch workers have one): steps 1
    //! and 3 tell it every value they read or take. With `skip_unseen`, step 1 does not look up the values
    //! it has never seen (a retry, which may be retrying the filter's own mistake, looks every value up).
    ClaimFilter* claims_seen = nullptr;
    bool skip_unseen = false;
};

//! The result of one item, in the order the items were given.
struct ItemResult {
    engine::Outcome outcome;
    std::vector<std::string> changed_fields;
    std::optional<engine::Contact> contact;  // the contact after the item (OK only)
};

//! Where a run's time went, in microseconds per step (for the batch workers' debug log and profiling).
struct CommitTimings {
    std::int64_t load_us = 0;
    std::int64_t fold_us = 0;
    std::int64_t render_us = 0;  // building steps 3 and 4's statements, when not done ahead
    std::int64_t claims_us = 0;
    std::int64_t write_us = 0;
};

//! Hashes strings and views alike, so that maps keyed by std::string can be searched with a view.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>()(text); }
};

//! Contacts by id, as a run left them.
using ChangedContacts = std::map<std::string, engine::Contact, std::less<>>;

//! Step 1's answer: the contacts a run touches, as the database held them when read.
struct LoadedContacts {
    std::unordered_map<std::string, std::string> id_of_requested;  // canonical id or alias → contact id
    std::unordered_map<std::string, engine::Contact, StringHash, std::equal_to<>> by_id;
    //! Where each contact's row version was read (its ctid, as text): step 4 updates that row without an
    //! index descent. Missing for contacts taken from a committed run, whose rows have moved since.
    std::unordered_map<std::string, std::string> row_of;
    // What the read looked for: the ids and aliases the items name (sorted) and the unique values they
    // mention. A contact is read when it holds one of those values or has one of those ids.
    std::vector<std::string> requested;
    ClaimSet mentioned;
    //! Values items select their contact by that were not looked up (the filter had never seen them). An
    //! item that finds no contact by one and does not end up claiming it is checked before its result
    //! stands (FoldedRun::to_confirm).
    ClaimSet unlooked_selectors;
};

//! Step 1 alone: reads what `items` touch. Any transaction will do (it only reads).
LoadedContacts LoadTouched(pqxx::transaction_base& txn, const CommitRequest& request,
                           std::span<const CommitItem> items);

//! Brings contacts read before a run committed up to date with what that run created or changed, so they
//! are as a read after its commit would have found them: a changed contact is taken when it was read, or
//! when the read would now find it (it holds a value the read looked for, or has an id it looked for).
//! (Changes by anyone else meanwhile are caught by step 4's version check, as always.)
void ApplyCommittedChanges(LoadedContacts& loaded, const ChangedContacts& committed);

//! Steps 3 and 4 of a folded run as statements, built without I/O (RenderWrite).
struct RenderedWrite {
    ClaimChanges::Statements claims;
    ContactWriter::Statements contacts;
};

//! Steps 1 and 2 done: a run decided in memory, ready to be written. Batch workers fold a chunk ahead, on
//! top of the chunk before it (storage/chunk_preparation.hpp), while that one is being written.
struct FoldedRun {
    LoadedContacts loaded;            // the contacts the fold started from (step 4 checks their versions)
    std::vector<ItemResult> results;  // one per item, in order
    //! The contacts created or changed, as they will be written (shared with the fold of the next run).
    std::shared_ptr<const ChangedContacts> changed;
    //! Selector values not looked up whose items' results assume no contact holds them, though no claim
    //! INSERT will check it (an IGNORED item, say): step 3 checks them first, and a held one fails the run
    //! for a retry that looks every value up.
    std::vector<engine::UniqueClaim> to_confirm;
    //! Steps 3 and 4 rendered ahead (by the prefetcher, on its thread); else WriteFolded renders them.
    std::optional<RenderedWrite> rendered;
};

//! Step 2 alone: folds `items` in order over `loaded`. No I/O.
FoldedRun FoldItems(const CommitRequest& request, LoadedContacts loaded, std::span<const CommitItem> items);

//! Renders steps 3 and 4 of a folded run: the claims to release and take, the contacts to insert and update.
//! No I/O; the claim filter, when the request has one, is told the values taken.
RenderedWrite RenderWrite(const CommitRequest& request, const FoldedRun& run);

//! Steps 3 and 4: writes a folded run inside `txn` (its `rendered` statements, or rendered now). Throws as CommitItems
//! does; nothing is committed.
void WriteFolded(pqxx::transaction_base& txn, const CommitRequest& request, const FoldedRun& run,
                 CommitTimings* timings = nullptr);

//! Whether WriteFolded(run) issues at most one statement: nothing changed, or one stored contact changed and
//! kept its unique values (no claim moves), so one UPDATE. Such a run may be written without a transaction
//! of its own: one statement is atomic, and its version check stands for the read.
bool WritesAtMostOneStatement(const FoldedRun& run);

//! Applies `items` inside `txn` (READ COMMITTED): steps 1 to 4 in one go. Throws only infrastructure
//! errors, and pqxx::serialization_failure when a concurrent writer claimed a value or changed a contact
//! after step 1 (retry the run, with step 1 redone).
std::vector<ItemResult> CommitItems(pqxx::transaction_base& txn, const CommitRequest& request,
                                    std::span<const CommitItem> items);

}  // namespace contactd::storage
