// Write semantics of SPEC §3 and §9: PUT/PATCH, list operations, shorthands, identifier rules, versions,
// unchanged detection and every item-level code the engine decides.
#include "engine/apply.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine_fixtures.hpp"

namespace contactd::engine {
namespace {

using testing::J;
using testing::RemarkFor;
using testing::TestWorkspace;

constexpr Millis kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr Millis kT1 = kT0 + 60000;

class ApplyTest : public ::testing::Test {
  protected:
    WorkspaceSettings settings_ = TestWorkspace();

    // Validates `json` as a batch item and applies it to `existing`.
    WriteResult Run(std::string_view json, const Contact* existing, WriteOptions options = {}) {
        auto write = ValidateWrite(J(json), settings_, {.batch_item = true, .mode = options.mode});
        if (!write.ok()) {
            ADD_FAILURE() << write.problem().message;
            return {};
        }
        const ApplyContext context{settings_, options, kT1, "00000000-0000-7000-8000-000000000001"};
        return ApplyWrite(write.value(), existing, context);
    }

    // A stored contact: phone identifier +16502530000, two e-mails, tags, one custom field.
    Contact Existing() {
        Contact c;
        c.id = "11111111-1111-4111-8111-111111111111";
        c.workspace_id = settings_.id;
        c.version = 3;
        c.created_at = kT0;
        c.updated_at = kT0;
        c.first_name = "Ann";
        c.phones = {"+16502530000", "+442070313000"};
        c.emails = {"ann@x.io", "ann@work.io"};
        c.tags = {"lead", "vip"};
        c.custom_fields["profile_field_1"] = std::string("blue");
        c.custom_fields["profile_field_16"] = 7.0;
        c.identifier = "+16502530000";
        return c;
    }

    static Code IgnoredCode(const WriteResult& result) {
        EXPECT_EQ(result.outcome.status, Status::kIgnored);
        return result.outcome.ignored_code.value_or(Code::kInvalidItem);
    }
};

// --- create ---------------------------------------------------------------------------------------------

TEST_F(ApplyTest, UpsertWithUnknownIdentifierCreatesAtVersionOne) {
    const WriteResult result = Run(R"({"phone": "+1 650 253 0000", "first_name": "Ann"})", nullptr);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.outcome.action, Action::kCreated);
    ASSERT_TRUE(result.contact.has_value());
    EXPECT_EQ(result.contact->id, "00000000-0000-7000-8000-000000000001");
    EXPECT_EQ(result.contact->version, 1);
    EXPECT_EQ(result.contact->created_at, kT1);
    EXPECT_EQ(result.contact->updated_at, kT1);
    EXPECT_EQ(result.contact->identifier, "+16502530000");
    EXPECT_EQ(result.changed_fields, (std::vector<std::string>{"first_name", "phone", "phones"}));
}

TEST_F(ApplyTest, UpsertWithoutIdOrIdentifierIsMissingIdentifier) {
    EXPECT_EQ(IgnoredCode(Run(R"({"first_name": "Ann"})", nullptr)), Code::kMissingIdentifier);
}

TEST_F(ApplyTest, UpsertWhoseIdentifierWasDroppedIsMissingIdentifierAndSaysWhy) {
    const WriteResult result = Run(R"({"phone": "not a phone", "first_name": "Ann"})", nullptr);
    EXPECT_EQ(IgnoredCode(result), Code::kMissingIdentifier);
    ASSERT_NE(RemarkFor(result.outcome.remarks, "phone"), nullptr);
}

TEST_F(ApplyTest, UpsertWithUnknownIdIsContactNotFound) {
    const WriteResult result = Run(R"({"id": "22222222-2222-4222-8222-222222222222", "first_name": "x"})", nullptr);
    EXPECT_EQ(IgnoredCode(result), Code::kContactNotFound);
    ASSERT_NE(RemarkFor(result.outcome.remarks, "id"), nullptr);
}

TEST_F(ApplyTest, UpdateModeNeverCreates) {
    EXPECT_EQ(IgnoredCode(Run(R"({"phone": "+16502530000"})", nullptr, {.mode = WriteMode::kUpdate})),
              Code::kContactNotFound);
}

TEST_F(ApplyTest, CreateModeOnAnExistingIdentifierIsAlreadyExists) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"phone": "+16502530000"})", &existing, {.mode = WriteMode::kCreate});
    EXPECT_EQ(IgnoredCode(result), Code::kAlreadyExists);
    EXPECT_EQ(result.outcome.conflicting_contact_id, existing.id);
}

TEST_F(ApplyTest, CreateModeWithoutIdentifierCreates) {
    const WriteResult result = Run(R"({"first_name": "Nobody"})", nullptr, {.mode = WriteMode::kCreate});
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_FALSE(result.contact->identifier.has_value());
}

// --- update, versions, unchanged ------------------------------------------------------------------------

TEST_F(ApplyTest, UpdateBumpsVersionAndUpdatedAtAndListsChangedFields) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"first_name": "Anna", "title": "CTO"})", &existing);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.outcome.action, Action::kUpdated);
    EXPECT_EQ(result.contact->version, 4);
    EXPECT_EQ(result.contact->created_at, kT0);
    EXPECT_EQ(result.contact->updated_at, kT1);
    EXPECT_EQ(result.changed_fields, (std::vector<std::string>{"first_name", "title"}));
}

TEST_F(ApplyTest, WriteThatChangesNothingIsUnchangedWithoutVersionBump) {
    const Contact existing = Existing();
    const WriteResult result =
        Run(R"({"first_name": "Ann", "tags": ["lead", "vip"], "phone": "+16502530000"})", &existing);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.outcome.action, Action::kUnchanged);
    EXPECT_EQ(result.contact->version, 3);
    EXPECT_EQ(result.contact->updated_at, kT0);
    EXPECT_TRUE(result.changed_fields.empty());
}

TEST_F(ApplyTest, UpdateNamingNoFieldIsUnchanged) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"id": "11111111-1111-4111-8111-111111111111"})", &existing);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.outcome.action, Action::kUnchanged);
}

TEST_F(ApplyTest, ExpectedVersionMismatchIsVersionConflict) {
    const Contact existing = Existing();
    EXPECT_EQ(IgnoredCode(Run(R"({"expected_version": 2, "title": "x"})", &existing)), Code::kVersionConflict);
    EXPECT_TRUE(Run(R"({"expected_version": 3, "title": "x"})", &existing).outcome.ok());
}

TEST_F(ApplyTest, ExpectedVersionOnAMissingContactIsVersionConflict) {
    EXPECT_EQ(IgnoredCode(Run(R"({"expected_version": 1, "phone": "+16502530000"})", nullptr)), Code::kVersionConflict);
}

TEST_F(ApplyTest, NullClearsAScalar) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"first_name": null})", &existing);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_FALSE(result.contact->first_name.has_value());
}

// --- partial success, reject, NO_VALID_FIELDS -----------------------------------------------------------

TEST_F(ApplyTest, DroppedFieldsAreRemarkedAndTheRestIsApplied) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"title": "CEO", "priority": 9, "nickname": "A"})", &existing);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.contact->title, "CEO");
    EXPECT_EQ(result.outcome.remarks.size(), 2u);
    EXPECT_NE(RemarkFor(result.outcome.remarks, "priority"), nullptr);
    EXPECT_NE(RemarkFor(result.outcome.remarks, "nickname"), nullptr);
}

TEST_F(ApplyTest, RejectModeIgnoresAnItemWithAnyRemarkAsInvalidFields) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"title": "CEO", "priority": 9})", &existing, {.reject_invalid_fields = true});
    EXPECT_EQ(IgnoredCode(result), Code::kInvalidFields);
    ASSERT_NE(RemarkFor(result.outcome.remarks, "priority"), nullptr);
    EXPECT_TRUE(Run(R"({"title": "CEO"})", &existing, {.reject_invalid_fields = true}).outcome.ok());
}

TEST_F(ApplyTest, RejectModeAlsoCoversApplyTimeDrops) {
    Contact existing = Existing();
    existing.tags.assign(100, "");
    for (int i = 0; i < 100; ++i) existing.tags[static_cast<std::size_t>(i)] = "t" + std::to_string(i);
    EXPECT_EQ(IgnoredCode(Run(R"({"tags": {"add": ["new"]}})", &existing, {.reject_invalid_fields = true})),
              Code::kInvalidFields);
}

TEST_F(ApplyTest, ItemWhoseEveryNamedFieldWasDroppedIsNoValidFields) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"priority": "high", "nickname": "A"})", &existing);
    EXPECT_EQ(IgnoredCode(result), Code::kNoValidFields);
    EXPECT_NE(RemarkFor(result.outcome.remarks, "priority"), nullptr);
}

// --- arrays ---------------------------------------------------------------------------------------------

TEST_F(ApplyTest, ArrayIsAFullReplacementAndEmptyArrayWipes) {
    const Contact existing = Existing();
    EXPECT_EQ(Run(R"({"tags": ["new"]})", &existing).contact->tags, (std::vector<std::string>{"new"}));
    EXPECT_TRUE(Run(R"({"tags": []})", &existing).contact->tags.empty());
    EXPECT_TRUE(Run(R"({"emails": []})", &existing).contact->emails.empty());
}

TEST_F(ApplyTest, AddAndRemoveChangeTheListWithoutReplacingIt) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"tags": {"add": ["hot", "lead"], "remove": ["vip", "absent"]}})", &existing);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.contact->tags, (std::vector<std::string>{"lead", "hot"}));
}

TEST_F(ApplyTest, RemoveAppliesBeforeAdd) {
    const Contact existing = Existing();
    EXPECT_EQ(Run(R"({"tags": {"remove": ["lead"], "add": ["lead"]}})", &existing).contact->tags,
              (std::vector<std::string>{"vip", "lead"}));
}

TEST_F(ApplyTest, AddOverTheLimitDropsTheOperationAndKeepsTheList) {
    Contact existing = Existing();
    existing.emails.clear();
    for (int i = 0; i < 20; ++i) existing.emails.push_back("u" + std::to_string(i) + "@x.io");
    const WriteResult result = Run(R"({"emails": {"add": ["new@x.io"]}, "title": "x"})", &existing);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.contact->emails, existing.emails);
    const Remark* remark = RemarkFor(result.outcome.remarks, "emails.add");
    ASSERT_NE(remark, nullptr);
    EXPECT_EQ(remark->code, Code::kTooManyValues);
}

// --- shorthands -----------------------------------------------------------------------------------------

TEST_F(ApplyTest, EmailShorthandMakesThePrimaryAndKeepsTheFormerAsSecond) {
    const Contact existing = Existing();
    EXPECT_EQ(Run(R"({"email": "New@x.io"})", &existing).contact->emails,
              (std::vector<std::string>{"new@x.io", "ann@x.io", "ann@work.io"}));
}

TEST_F(ApplyTest, EmailShorthandOfAnExistingValueMovesItFirst) {
    const Contact existing = Existing();
    EXPECT_EQ(Run(R"({"email": "ann@work.io"})", &existing).contact->emails,
              (std::vector<std::string>{"ann@work.io", "ann@x.io"}));
}

TEST_F(ApplyTest, EmailNullRemovesThePrimaryAndTheNextBecomesPrimary) {
    const Contact existing = Existing();
    EXPECT_EQ(Run(R"({"email": null})", &existing).contact->emails, (std::vector<std::string>{"ann@work.io"}));
}

TEST_F(ApplyTest, ArrayIsAppliedBeforeTheShorthand) {
    const Contact existing = Existing();
    EXPECT_EQ(Run(R"({"email": "b@x.io", "emails": ["a@x.io", "c@x.io"]})", &existing).contact->emails,
              (std::vector<std::string>{"b@x.io", "a@x.io", "c@x.io"}));
}

// --- identifier -----------------------------------------------------------------------------------------

TEST_F(ApplyTest, ReplacingTheIdentifierIsIdentifierImmutable) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"phones": ["+442070313000"]})", &existing);
    EXPECT_EQ(IgnoredCode(result), Code::kIdentifierImmutable);
    ASSERT_NE(RemarkFor(result.outcome.remarks, "phone"), nullptr);
}

TEST_F(ApplyTest, DemotingTheIdentifierFromPrimaryIsIdentifierImmutable) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"phone": "+442070313000"})", &existing);
    EXPECT_EQ(IgnoredCode(result), Code::kIdentifierImmutable);
    EXPECT_NE(result.outcome.remarks.back().message.find("demoted"), std::string::npos);
}

TEST_F(ApplyTest, RemovingTheIdentifierIsIdentifierImmutable) {
    const Contact existing = Existing();
    EXPECT_EQ(IgnoredCode(Run(R"({"phone": null})", &existing)), Code::kIdentifierImmutable);
    EXPECT_EQ(IgnoredCode(Run(R"({"phones": []})", &existing)), Code::kIdentifierImmutable);
    EXPECT_EQ(IgnoredCode(Run(R"({"phones": {"remove": ["+16502530000"]}})", &existing)), Code::kIdentifierImmutable);
}

TEST_F(ApplyTest, AddingOtherValuesBesideTheIdentifierIsFine) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"phones": {"add": ["+16502530001"]}})", &existing);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.contact->phones.back(), "+16502530001");
}

TEST_F(ApplyTest, ContactWithoutIdentifierTakesTheFirstValueItGets) {
    Contact existing = Existing();
    existing.phones.clear();
    existing.identifier.reset();
    const WriteResult result = Run(R"({"phones": ["+442070313000"]})", &existing);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.contact->identifier, "+442070313000");
}

TEST_F(ApplyTest, EmailIdentifierIsComparedNormalised) {
    settings_ = TestWorkspace(IdentifierField::kEmail);
    Contact existing = Existing();
    existing.identifier = "ann@x.io";
    EXPECT_TRUE(Run(R"({"email": "ANN@X.IO", "title": "x"})", &existing).outcome.ok());
    EXPECT_EQ(IgnoredCode(Run(R"({"email": "other@x.io"})", &existing)), Code::kIdentifierImmutable);
}

TEST_F(ApplyTest, ExternalReferenceIdentifierCannotBeReplaced) {
    settings_ = TestWorkspace(IdentifierField::kExternalReferenceId);
    Contact existing = Existing();
    existing.external_reference_id = "crm-1";
    existing.identifier = "crm-1";
    EXPECT_EQ(IgnoredCode(Run(R"({"external_reference_id": "crm-2"})", &existing)), Code::kIdentifierImmutable);
    EXPECT_EQ(IgnoredCode(Run(R"({"external_reference_id": null})", &existing)), Code::kIdentifierImmutable);
    EXPECT_TRUE(Run(R"({"phones": []})", &existing).outcome.ok()) << "phones are not the identifier here";
}

TEST_F(ApplyTest, IdentifierValueOfAWritePrefersTheShorthand) {
    auto write = ValidateWrite(J(R"({"phones": ["+442070313000"], "phone": "+16502530000"})"), settings_, {});
    ASSERT_TRUE(write.ok());
    EXPECT_EQ(IdentifierValueOf(write.value(), IdentifierField::kPhone), "+16502530000");
}

// --- custom fields: PUT versus PATCH ---------------------------------------------------------------------

TEST_F(ApplyTest, PatchChangesOnlyTheGivenCustomFields) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"custom_fields": {"profile_field_2": "x"}})", &existing);
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(result.contact->custom_fields.size(), 3u);
    EXPECT_EQ(std::get<std::string>(result.contact->custom_fields.at("profile_field_1")), "blue");
}

TEST_F(ApplyTest, PutCustomFieldsIsTheWholeSet) {
    const Contact existing = Existing();
    const WriteResult result =
        Run(R"({"custom_fields": {"profile_field_2": "x"}})", &existing, {.semantics = Semantics::kPut});
    ASSERT_TRUE(result.outcome.ok());
    ASSERT_EQ(result.contact->custom_fields.size(), 1u);
    EXPECT_EQ(result.contact->custom_fields.count("profile_field_2"), 1u);
}

TEST_F(ApplyTest, PutEmptyCustomFieldsWipesThemAll) {
    const Contact existing = Existing();
    EXPECT_TRUE(
        Run(R"({"custom_fields": {}})", &existing, {.semantics = Semantics::kPut}).contact->custom_fields.empty());
    EXPECT_EQ(Run(R"({"custom_fields": {}, "title": "x"})", &existing, {.semantics = Semantics::kPatch})
                  .contact->custom_fields.size(),
              2u);
}

TEST_F(ApplyTest, PutKeepsACustomFieldWhoseNewValueWasRefused) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"custom_fields": {"profile_field_16": "seven", "profile_field_2": "x"}})",
                                   &existing, {.semantics = Semantics::kPut});
    ASSERT_TRUE(result.outcome.ok());
    EXPECT_EQ(std::get<double>(result.contact->custom_fields.at("profile_field_16")), 7.0);
    EXPECT_EQ(result.contact->custom_fields.count("profile_field_1"), 0u);
}

TEST_F(ApplyTest, PutScalarsAndArraysBehaveLikePatch) {
    const Contact existing = Existing();
    const WriteResult result = Run(R"({"title": "x"})", &existing, {.semantics = Semantics::kPut});
    EXPECT_EQ(result.contact->tags, existing.tags) << "omitted arrays are untouched";
    EXPECT_EQ(result.contact->first_name, existing.first_name) << "omitted scalars are untouched";
}

// --- unique claims --------------------------------------------------------------------------------------

TEST_F(ApplyTest, UniqueClaimsCoverEmailsWhatsappAndExternalReference) {
    Contact contact = Existing();
    contact.whatsapp = "+16502530000";
    contact.external_reference_id = "crm-1";
    const auto claims = UniqueClaimsOf(contact, IdentifierField::kEmail);
    EXPECT_EQ(claims.size(), 4u) << "phones are unique only when they identify contacts";
    EXPECT_EQ(UniqueClaimsOf(contact, IdentifierField::kPhone).size(), 6u);
}

// Whatever the identifier field, a contact's identifier is one of its claims, under the identifier's kind.
TEST_F(ApplyTest, TheIdentifierIsAlwaysOneOfTheContactsClaims) {
    Contact contact = Existing();
    contact.external_reference_id = "crm-1";
    for (const IdentifierField field :
         {IdentifierField::kPhone, IdentifierField::kEmail, IdentifierField::kExternalReferenceId}) {
        const auto identifier = CurrentIdentifierValue(contact, field);
        ASSERT_TRUE(identifier.has_value());
        const auto claims = UniqueClaimsOf(contact, field);
        const UniqueClaim expected{IdentifierKind(field), *identifier};
        EXPECT_NE(std::find(claims.begin(), claims.end(), expected), claims.end()) << IdentifierFieldName(field);
    }
}

TEST_F(ApplyTest, DuplicateValueNamesTheFieldAndTheHolder) {
    const Outcome outcome = DuplicateValueOutcome({UniqueKind::kEmail, "a@x.io"}, "holder-id", "mine", {});
    EXPECT_EQ(outcome.ignored_code, Code::kDuplicateValue);
    EXPECT_EQ(outcome.conflicting_contact_id, "holder-id");
    ASSERT_EQ(outcome.remarks.size(), 1u);
    EXPECT_EQ(outcome.remarks[0].field, "emails");
    EXPECT_NE(outcome.remarks[0].message.find("holder-id"), std::string::npos);
}

}  // namespace
}  // namespace contactd::engine
