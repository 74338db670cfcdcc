// Field rules of SPEC §2 and §9: every field kind, every field-level code, and the edges.
#include "engine/validation.hpp"

#include <gtest/gtest.h>

#include "engine_fixtures.hpp"

namespace contactd::engine {
namespace {

using testing::J;
using testing::RemarkFor;
using testing::Repeat;
using testing::TestWorkspace;
using testing::Validate;

class ValidationTest : public ::testing::Test {
  protected:
    WorkspaceSettings settings_ = TestWorkspace();

    ContactWrite V(std::string_view json) { return Validate(json, settings_); }

    // Asserts that `json` drops `field` with `code` and returns the message.
    std::string ExpectDropped(std::string_view json, std::string_view field, Code code) {
        const ContactWrite write = V(json);
        const Remark* remark = RemarkFor(write.remarks, field);
        if (remark == nullptr) {
            ADD_FAILURE() << "no remark for " << field << " in " << json;
            return {};
        }
        EXPECT_EQ(CodeName(remark->code), CodeName(code)) << remark->message;
        return remark->message;
    }

    bool Given(const ContactWrite& write, FieldId id) { return write.given.test(static_cast<std::size_t>(id)); }
};

// --- single-line text fields -------------------------------------------------------------------------

TEST_F(ValidationTest, NameKeepsEmojiAndJoinersExactly) {
    const std::string family = "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7";
    const ContactWrite write = V(R"({"first_name": ")" + family + R"( Zoë"})");
    EXPECT_TRUE(write.remarks.empty());
    EXPECT_EQ(write.values.first_name, family + " Zo\xC3\xAB");
}

TEST_F(ValidationTest, NameOf255TwoByteCharactersIsAcceptedAnd256IsTooLong) {
    EXPECT_TRUE(V(R"({"last_name": ")" + Repeat("é", 255) + R"("})").remarks.empty());
    const std::string message =
        ExpectDropped(R"({"last_name": ")" + Repeat("é", 256) + R"("})", "last_name", Code::kValueTooLong);
    EXPECT_NE(message.find("255"), std::string::npos) << message;
}

TEST_F(ValidationTest, NameOf255FourByteEmojiIsAccepted) {
    EXPECT_TRUE(V(R"({"title": ")" + Repeat("\xF0\x9F\x98\x80", 255) + R"("})").remarks.empty());
    ExpectDropped(R"({"title": ")" + Repeat("\xF0\x9F\x98\x80", 256) + R"("})", "title", Code::kValueTooLong);
}

TEST_F(ValidationTest, NameWithNulIsInvalidCharacters) {
    ExpectDropped(R"({"first_name": "a\u0000b"})", "first_name", Code::kInvalidCharacters);
}

TEST_F(ValidationTest, NameWithTabOrNewlineIsInvalidCharacters) {
    ExpectDropped(R"({"first_name": "a\tb"})", "first_name", Code::kInvalidCharacters);
    ExpectDropped(R"({"company_name": "a\nb"})", "company_name", Code::kInvalidCharacters);
}

TEST_F(ValidationTest, NameWithC1ControlIsInvalidCharacters) {
    ExpectDropped(R"({"first_name": "a\u0085b"})", "first_name", Code::kInvalidCharacters);
}

TEST_F(ValidationTest, LoneSurrogateIsInvalidCharacters) {
    ExpectDropped(R"({"first_name": "a\ud800b"})", "first_name", Code::kInvalidCharacters);
    ExpectDropped(R"({"tags": ["\udc00"]})", "tags[0]", Code::kInvalidCharacters);
}

TEST_F(ValidationTest, InvalidUtf8IsInvalidCharacters) {
    ExpectDropped("{\"first_name\": \"a\xC3(b\"}", "first_name", Code::kInvalidCharacters);
    ExpectDropped("{\"first_name\": \"\xC0\xAF\"}", "first_name", Code::kInvalidCharacters);  // overlong '/'
}

TEST_F(ValidationTest, NumberForAStringFieldIsInvalidType) {
    const std::string message = ExpectDropped(R"({"first_name": 42})", "first_name", Code::kInvalidType);
    EXPECT_NE(message.find("expected a string, got a number"), std::string::npos) << message;
}

TEST_F(ValidationTest, NullClearsAScalar) {
    const ContactWrite write = V(R"({"first_name": null})");
    EXPECT_TRUE(write.remarks.empty());
    EXPECT_TRUE(Given(write, FieldId::kFirstName));
    EXPECT_FALSE(write.values.first_name.has_value());
}

TEST_F(ValidationTest, EmptyNameIsKeptAsAnEmptyString) {
    const ContactWrite write = V(R"({"first_name": ""})");
    EXPECT_TRUE(write.remarks.empty());
    EXPECT_EQ(write.values.first_name, "");
}

// --- e-mails -------------------------------------------------------------------------------------------

TEST_F(ValidationTest, EmailsAreLowerCasedAndDeduplicatedInOrder) {
    const ContactWrite write = V(R"({"emails": ["B@Example.com", "a@example.com", "b@example.COM"]})");
    ASSERT_TRUE(write.emails.has_value());
    EXPECT_TRUE(write.emails->replace);
    EXPECT_EQ(write.emails->values, (std::vector<std::string>{"b@example.com", "a@example.com"}));
}

TEST_F(ValidationTest, TwentyEmailsAreAcceptedAndTwentyOneAreTooMany) {
    std::string twenty = "[";
    for (int i = 0; i < 20; ++i) twenty += (i ? "," : "") + std::string("\"u") + std::to_string(i) + "@x.io\"";
    EXPECT_TRUE(V(R"({"emails": )" + twenty + "]}").remarks.empty());
    const std::string message =
        ExpectDropped(R"({"emails": )" + twenty + R"(, "u20@x.io"]})", "emails", Code::kTooManyValues);
    EXPECT_NE(message.find("21"), std::string::npos) << message;
    EXPECT_FALSE(V(R"({"emails": )" + twenty + R"(, "u20@x.io"]})").emails.has_value());
}

TEST_F(ValidationTest, OneBadEmailDropsTheWholeArrayAndNamesTheElement) {
    const ContactWrite write = V(R"({"emails": ["ok@x.io", "not-an-email"], "first_name": "Ann"})");
    EXPECT_FALSE(write.emails.has_value()) << "no partial replacement";
    const Remark* remark = RemarkFor(write.remarks, "emails[1]");
    ASSERT_NE(remark, nullptr);
    EXPECT_EQ(remark->code, Code::kInvalidFormat);
    EXPECT_NE(remark->message.find("not-an-email"), std::string::npos) << remark->message;
    EXPECT_EQ(write.values.first_name, "Ann") << "the rest of the item goes on";
}

TEST_F(ValidationTest, NonStringEmailElementIsInvalidType) {
    ExpectDropped(R"({"emails": [42]})", "emails[0]", Code::kInvalidType);
}

TEST_F(ValidationTest, EmailsAsAStringIsInvalidType) {
    ExpectDropped(R"({"emails": "a@x.io"})", "emails", Code::kInvalidType);
}

TEST_F(ValidationTest, EmptyArrayAndNullBothWipeTheList) {
    for (const char* json : {R"({"emails": []})", R"({"emails": null})"}) {
        const ContactWrite write = V(json);
        ASSERT_TRUE(write.emails.has_value()) << json;
        EXPECT_TRUE(write.emails->replace);
        EXPECT_TRUE(write.emails->values.empty());
    }
}

TEST_F(ValidationTest, EmailShorthandIsNormalisedAndNamedInRemarks) {
    EXPECT_EQ(V(R"({"email": "Ann@X.io"})").email, std::optional<std::string>("ann@x.io"));
    ExpectDropped(R"({"email": "ann@"})", "email", Code::kInvalidFormat);
    const ContactWrite cleared = V(R"({"email": null})");
    ASSERT_TRUE(cleared.email.has_value());
    EXPECT_FALSE(cleared.email->has_value());
}

// --- add/remove operations ------------------------------------------------------------------------------

TEST_F(ValidationTest, AddRemoveOperationIsParsed) {
    const ContactWrite write = V(R"({"tags": {"add": ["vip", "vip", "new"], "remove": ["old"]}})");
    ASSERT_TRUE(write.tags.has_value());
    EXPECT_FALSE(write.tags->replace);
    EXPECT_EQ(write.tags->add, (std::vector<std::string>{"vip", "new"}));
    EXPECT_EQ(write.tags->remove, (std::vector<std::string>{"old"}));
}

TEST_F(ValidationTest, BadElementInAnOperationDropsTheWholeOperation) {
    const ContactWrite write = V(R"({"tags": {"add": ["ok", ""], "remove": ["x"]}})");
    EXPECT_FALSE(write.tags.has_value());
    const Remark* remark = RemarkFor(write.remarks, "tags.add[1]");
    ASSERT_NE(remark, nullptr);
    EXPECT_EQ(remark->code, Code::kInvalidFormat);
}

TEST_F(ValidationTest, UnknownOperationKeyIsInvalidFormat) {
    ExpectDropped(R"({"tags": {"append": ["x"]}})", "tags", Code::kInvalidFormat);
}

TEST_F(ValidationTest, OperationOperandMustBeAnArray) {
    ExpectDropped(R"({"emails": {"add": "a@x.io"}})", "emails.add", Code::kInvalidType);
}

// --- phones and WhatsApp --------------------------------------------------------------------------------

TEST_F(ValidationTest, PhoneWithPrefixAndPunctuationIsNormalisedToE164) {
    const ContactWrite write = V(R"({"phones": ["+1 (650) 253-0000", "+44 20 7031 3000"]})");
    ASSERT_TRUE(write.phones.has_value());
    EXPECT_EQ(write.phones->values, (std::vector<std::string>{"+16502530000", "+442070313000"}));
}

TEST_F(ValidationTest, PhoneWithoutPrefixUsesTheDefaultCountry) {
    settings_.default_country = "US";
    EXPECT_EQ(V(R"({"phone": "650-253-0000"})").phone, std::optional<std::string>("+16502530000"));
}

TEST_F(ValidationTest, PhoneWithoutPrefixOrDefaultCountryIsInvalidFormat) {
    settings_.default_country.reset();
    ExpectDropped(R"({"phone": "650-253-0000"})", "phone", Code::kInvalidFormat);
}

TEST_F(ValidationTest, PhoneThatCannotExistIsInvalidFormat) {
    ExpectDropped(R"({"phones": ["+1 123 456 7890"]})", "phones[0]", Code::kInvalidFormat);
    ExpectDropped(R"({"whatsapp": "+1 123"})", "whatsapp", Code::kInvalidFormat);
}

TEST_F(ValidationTest, WhatsappIsNormalisedLikeAPhone) {
    EXPECT_EQ(V(R"({"whatsapp": "+1 650 253 0000"})").values.whatsapp, "+16502530000");
}

// --- tags and locations ---------------------------------------------------------------------------------

TEST_F(ValidationTest, TagsKeepOrderAndDropDuplicates) {
    const ContactWrite write = V(R"({"tags": ["b", "a", "b", "c", "a"]})");
    ASSERT_TRUE(write.tags.has_value());
    EXPECT_EQ(write.tags->values, (std::vector<std::string>{"b", "a", "c"}));
}

TEST_F(ValidationTest, TagOf64CharactersIsAcceptedAnd65IsTooLong) {
    EXPECT_TRUE(V(R"({"tags": [")" + Repeat("ß", 64) + R"("]})").remarks.empty());
    ExpectDropped(R"({"tags": ["ok", ")" + Repeat("ß", 65) + R"("]})", "tags[1]", Code::kValueTooLong);
}

TEST_F(ValidationTest, HundredTagsAreAcceptedAndHundredAndOneAreTooMany) {
    std::string tags = "[";
    for (int i = 0; i < 100; ++i) tags += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
    EXPECT_TRUE(V(R"({"tags": )" + tags + "]}").remarks.empty());
    ExpectDropped(R"({"tags": )" + tags + R"(, "t100"]})", "tags", Code::kTooManyValues);
}

TEST_F(ValidationTest, LocationsOverTwentyAreTooMany) {
    std::string list = "[";
    for (int i = 0; i < 21; ++i) list += (i ? ",\"city" : "\"city") + std::to_string(i) + "\"";
    ExpectDropped(R"({"locations": )" + list + "]}", "locations", Code::kTooManyValues);
}

// --- closed sets ----------------------------------------------------------------------------------------

TEST_F(ValidationTest, StatusMustMatchALeadStageExactly) {
    EXPECT_EQ(V(R"({"status": "Qualified"})").values.status, "Qualified");
    const std::string message = ExpectDropped(R"({"status": "Lost"})", "status", Code::kUnknownStatus);
    EXPECT_EQ(message.find("did you mean"), std::string::npos) << message;
}

TEST_F(ValidationTest, StatusDifferingOnlyByCaseSuggestsTheCanonicalLabel) {
    const std::string message = ExpectDropped(R"({"status": "qualified"})", "status", Code::kUnknownStatus);
    EXPECT_NE(message.find("did you mean \"Qualified\"?"), std::string::npos) << message;
}

TEST_F(ValidationTest, StatusDifferingBySurroundingSpacesSuggestsTheCanonicalLabel) {
    const std::string message = ExpectDropped(R"({"status": " Won "})", "status", Code::kUnknownStatus);
    EXPECT_NE(message.find("did you mean \"Won\"?"), std::string::npos) << message;
}

TEST_F(ValidationTest, PriorityAcceptsOneToFive) {
    EXPECT_EQ(V(R"({"priority": 1})").values.priority, 1);
    EXPECT_EQ(V(R"({"priority": 5})").values.priority, 5);
    ExpectDropped(R"({"priority": 0})", "priority", Code::kInvalidEnum);
    ExpectDropped(R"({"priority": 6})", "priority", Code::kInvalidEnum);
    ExpectDropped(R"({"priority": -1})", "priority", Code::kInvalidEnum);
}

TEST_F(ValidationTest, PriorityNonIntegerIsInvalidType) {
    ExpectDropped(R"({"priority": 2.5})", "priority", Code::kInvalidType);
    ExpectDropped(R"({"priority": 2.0})", "priority", Code::kInvalidType);
    ExpectDropped(R"({"priority": 1e0})", "priority", Code::kInvalidType);
}

TEST_F(ValidationTest, NumberSentAsStringIsInvalidType) {
    ExpectDropped(R"({"priority": "3"})", "priority", Code::kInvalidType);
    const std::string message = ExpectDropped(R"({"custom_fields": {"profile_field_16": "500"}})",
                                              "custom_fields.profile_field_16", Code::kInvalidType);
    EXPECT_EQ(message.rfind("expected a number, got a string", 0), 0u) << message;
}

TEST_F(ValidationTest, HugePriorityIsOutOfTheSet) {
    ExpectDropped(R"({"priority": 99999999999999999999999})", "priority", Code::kInvalidEnum);
}

TEST_F(ValidationTest, SourceIsAClosedCaseSensitiveSet) {
    EXPECT_EQ(V(R"({"source": "whatsapp"})").values.source, "whatsapp");
    const std::string message = ExpectDropped(R"({"source": "API"})", "source", Code::kInvalidEnum);
    EXPECT_NE(message.find("manual, csv, api"), std::string::npos) << message;
}

TEST_F(ValidationTest, CountryCodeIsCaseInsensitiveInAndUpperCaseStored) {
    EXPECT_EQ(V(R"({"country_code": "de"})").values.country_code, "DE");
    ExpectDropped(R"({"country_code": "XX"})", "country_code", Code::kInvalidEnum);
    ExpectDropped(R"({"country_code": "DEU"})", "country_code", Code::kInvalidEnum);
    ExpectDropped(R"({"country_code": 49})", "country_code", Code::kInvalidType);
}

TEST_F(ValidationTest, LanguageIsCaseInsensitiveInAndLowerCaseStored) {
    EXPECT_EQ(V(R"({"language": "PT"})").values.language, "pt");
    ExpectDropped(R"({"language": "eng"})", "language", Code::kInvalidEnum);
    ExpectDropped(R"({"language": "qq"})", "language", Code::kInvalidEnum);
}

TEST_F(ValidationTest, OptInsAreStrictBooleans) {
    EXPECT_EQ(V(R"({"email_marketing_opt_in": false})").values.email_marketing_opt_in, false);
    ExpectDropped(R"({"email_marketing_opt_in": "true"})", "email_marketing_opt_in", Code::kInvalidType);
    ExpectDropped(R"({"whatsapp_marketing_opt_in": 1})", "whatsapp_marketing_opt_in", Code::kInvalidType);
}

// --- external reference ---------------------------------------------------------------------------------

TEST_F(ValidationTest, ExternalReferenceIdMustBeANonEmptyString) {
    EXPECT_EQ(V(R"({"external_reference_id": "crm-42"})").values.external_reference_id, "crm-42");
    ExpectDropped(R"({"external_reference_id": ""})", "external_reference_id", Code::kInvalidFormat);
    ExpectDropped(R"({"external_reference_id": ")" + Repeat("x", 256) + R"("})", "external_reference_id",
                  Code::kValueTooLong);
}

TEST_F(ValidationTest, ExternalReferenceUrlMustBeAbsoluteHttp) {
    EXPECT_EQ(V(R"({"external_reference_url": "https://crm.example.com/c/42?x=1"})").values.external_reference_url,
              "https://crm.example.com/c/42?x=1");
    ExpectDropped(R"({"external_reference_url": "ftp://x.io/a"})", "external_reference_url", Code::kInvalidFormat);
    ExpectDropped(R"({"external_reference_url": "/relative"})", "external_reference_url", Code::kInvalidFormat);
    ExpectDropped(R"({"external_reference_url": "https://x.io/)" + Repeat("a", 2040) + R"("})",
                  "external_reference_url", Code::kValueTooLong);
}

// --- custom fields --------------------------------------------------------------------------------------

TEST_F(ValidationTest, CustomTextAllowsTabAndNewlineButNotOtherControls) {
    const ContactWrite write = V(R"({"custom_fields": {"profile_field_1": "line1\n\tline2\r\n"}})");
    EXPECT_TRUE(write.remarks.empty());
    EXPECT_EQ(std::get<std::string>(*write.custom_fields.at("profile_field_1")), "line1\n\tline2\r\n");
    ExpectDropped(R"({"custom_fields": {"profile_field_1": "bell\u0007"}})", "custom_fields.profile_field_1",
                  Code::kInvalidCharacters);
    ExpectDropped(R"({"custom_fields": {"profile_field_1": "nul\u0000"}})", "custom_fields.profile_field_1",
                  Code::kInvalidCharacters);
}

TEST_F(ValidationTest, CustomTextLimitIsTheDeclaredMaxLength) {
    EXPECT_TRUE(V(R"({"custom_fields": {"profile_field_2": ")" + Repeat("ü", 10240) + R"("}})").remarks.empty());
    ExpectDropped(R"({"custom_fields": {"profile_field_2": ")" + Repeat("ü", 10241) + R"("}})",
                  "custom_fields.profile_field_2", Code::kValueTooLong);
    EXPECT_TRUE(V(R"({"custom_fields": {"code": "abcde"}})").remarks.empty());
    ExpectDropped(R"({"custom_fields": {"code": "abcdef"}})", "custom_fields.code", Code::kValueTooLong);
}

TEST_F(ValidationTest, CustomNumberAcceptsIntegersAndDecimals) {
    const ContactWrite write = V(R"({"custom_fields": {"profile_field_16": 500, "profile_field_17": -1.25}})");
    EXPECT_TRUE(write.remarks.empty());
    EXPECT_EQ(std::get<double>(*write.custom_fields.at("profile_field_16")), 500.0);
    EXPECT_EQ(std::get<double>(*write.custom_fields.at("profile_field_17")), -1.25);
}

TEST_F(ValidationTest, CustomNumberThatCannotBeStoredExactlyIsInvalidFormat) {
    ExpectDropped(R"({"custom_fields": {"profile_field_16": 123456789012345678901234567890}})",
                  "custom_fields.profile_field_16", Code::kInvalidFormat);
    ExpectDropped(R"({"custom_fields": {"profile_field_16": 1e400}})", "custom_fields.profile_field_16",
                  Code::kInvalidFormat);
    EXPECT_TRUE(V(R"({"custom_fields": {"profile_field_16": 9007199254740992}})").remarks.empty());
}

TEST_F(ValidationTest, CustomBooleanIsStrict) {
    EXPECT_TRUE(V(R"({"custom_fields": {"vip": true}})").remarks.empty());
    ExpectDropped(R"({"custom_fields": {"vip": "yes"}})", "custom_fields.vip", Code::kInvalidType);
}

TEST_F(ValidationTest, CustomDateAcceptsMillisRfc3339AndTheWorkspaceFormat) {
    const ContactWrite write = V(R"({"custom_fields": {"profile_field_26": 1767225600000,
        "profile_field_27": "2026-01-01T00:00:00Z", "profile_field_28": "01/01/2026"}})");
    EXPECT_TRUE(write.remarks.empty());
    for (const char* slug : {"profile_field_26", "profile_field_27", "profile_field_28"}) {
        EXPECT_EQ(std::get<DateValue>(*write.custom_fields.at(slug)).millis, 1767225600000) << slug;
    }
}

TEST_F(ValidationTest, CustomDateWithoutOffsetIsInvalidFormat) {
    ExpectDropped(R"({"custom_fields": {"profile_field_26": "2026-01-01T10:30:00"}})", "custom_fields.profile_field_26",
                  Code::kInvalidFormat);
}

TEST_F(ValidationTest, CustomDateAsBooleanIsInvalidType) {
    ExpectDropped(R"({"custom_fields": {"profile_field_26": true}})", "custom_fields.profile_field_26",
                  Code::kInvalidType);
}

TEST_F(ValidationTest, UnknownCustomSlugIsUnknownField) {
    ExpectDropped(R"({"custom_fields": {"profile_field_99": "x"}})", "custom_fields.profile_field_99",
                  Code::kUnknownField);
}

TEST_F(ValidationTest, CustomFieldsMustBeAnObject) {
    ExpectDropped(R"({"custom_fields": ["x"]})", "custom_fields", Code::kInvalidType);
}

TEST_F(ValidationTest, CustomFieldsNullClearsEveryDeclaredSlug) {
    const ContactWrite write = V(R"({"custom_fields": null})");
    EXPECT_TRUE(write.custom_fields_named);
    EXPECT_EQ(write.custom_fields.size(), settings_.custom_fields.size());
    for (const auto& [slug, value] : write.custom_fields) EXPECT_FALSE(value.has_value()) << slug;
}

TEST_F(ValidationTest, CustomSlugSetToNullIsAClear) {
    const ContactWrite write = V(R"({"custom_fields": {"profile_field_1": null}})");
    ASSERT_EQ(write.custom_fields.count("profile_field_1"), 1u);
    EXPECT_FALSE(write.custom_fields.at("profile_field_1").has_value());
}

// --- unknown and read-only names ------------------------------------------------------------------------

TEST_F(ValidationTest, UnknownFieldIsDroppedAndTheRestGoesOn) {
    const ContactWrite write = V(R"({"nickname": "Bo", "first_name": "Bob"})");
    ASSERT_NE(RemarkFor(write.remarks, "nickname"), nullptr);
    EXPECT_EQ(RemarkFor(write.remarks, "nickname")->code, Code::kUnknownField);
    EXPECT_EQ(write.values.first_name, "Bob");
}

TEST_F(ValidationTest, UnknownFieldDifferingByCaseSuggestsTheField) {
    const std::string message = ExpectDropped(R"({"Email": "a@x.io"})", "Email", Code::kUnknownField);
    EXPECT_NE(message.find("did you mean \"email\"?"), std::string::npos) << message;
}

TEST_F(ValidationTest, SystemFieldsAreReadOnly) {
    for (const char* field : {"id", "workspace_id", "version", "created_at", "updated_at", "merged_into"}) {
        ExpectDropped(std::string(R"({")") + field + R"(": "x"})", field, Code::kReadOnlyField);
    }
}

TEST_F(ValidationTest, BatchControlsAreUnknownInSingleContactBodies) {
    ExpectDropped(R"({"ref": "r1"})", "ref", Code::kUnknownField);
    ExpectDropped(R"({"expected_version": 3})", "expected_version", Code::kUnknownField);
}

// --- batch items ----------------------------------------------------------------------------------------

TEST_F(ValidationTest, BatchItemIdRefAndExpectedVersionAreControlsNotFields) {
    const auto write = ValidateWrite(J(R"({"id": "c-1", "ref": "row-7", "expected_version": 3, "title": "x"})"),
                                     settings_, {.batch_item = true, .mode = WriteMode::kUpsert});
    ASSERT_TRUE(write.ok());
    EXPECT_EQ(write.value().id, "c-1");
    EXPECT_EQ(write.value().ref, "row-7");
    EXPECT_EQ(write.value().expected_version, 3);
    EXPECT_EQ(write.value().named_fields, 1);
    EXPECT_TRUE(write.value().remarks.empty());
}

TEST_F(ValidationTest, BatchItemIdInCreateModeIsReadOnly) {
    const auto write =
        ValidateWrite(J(R"({"id": "c-1", "title": "x"})"), settings_, {.batch_item = true, .mode = WriteMode::kCreate});
    ASSERT_TRUE(write.ok());
    EXPECT_FALSE(write.value().id.has_value());
    ASSERT_NE(RemarkFor(write.value().remarks, "id"), nullptr);
    EXPECT_EQ(RemarkFor(write.value().remarks, "id")->code, Code::kReadOnlyField);
}

TEST_F(ValidationTest, MalformedItemControlsMakeTheItemInvalid) {
    const ValidationOptions batch{.batch_item = true, .mode = WriteMode::kUpsert};
    for (const char* json : {R"({"ref": 7})", R"({"expected_version": 0})", R"({"expected_version": "2"})",
                             R"({"expected_version": 1.5})", R"({"id": 12})"}) {
        const auto write = ValidateWrite(J(json), settings_, batch);
        ASSERT_FALSE(write.ok()) << json;
        EXPECT_EQ(write.problem().code, Code::kInvalidItem) << json;
    }
}

TEST_F(ValidationTest, ANonObjectItemIsInvalidItem) {
    for (const char* json : {"[]", "\"x\"", "42", "null", "true"}) {
        const auto write = ValidateWrite(J(json), settings_, {.batch_item = true});
        ASSERT_FALSE(write.ok()) << json;
        EXPECT_EQ(write.problem().code, Code::kInvalidItem);
    }
}

// --- counting for NO_VALID_FIELDS -----------------------------------------------------------------------

TEST_F(ValidationTest, NamedAndDroppedFieldsAreCountedPerFieldAndPerCustomSlug) {
    const ContactWrite write =
        V(R"({"first_name": 1, "tags": ["a"], "custom_fields": {"profile_field_1": "x", "profile_field_16": "y"}})");
    EXPECT_EQ(write.named_fields, 4);
    EXPECT_EQ(write.dropped_fields, 2);
    EXPECT_FALSE(write.AllNamedFieldsDropped());
    const ContactWrite all_bad = V(R"({"first_name": 1, "nickname": "x"})");
    EXPECT_TRUE(all_bad.AllNamedFieldsDropped());
}

TEST_F(ValidationTest, MessagesQuoteLongOffendingValuesTruncated) {
    const std::string message =
        ExpectDropped(R"({"source": ")" + Repeat("z", 500) + R"("})", "source", Code::kInvalidEnum);
    EXPECT_LT(message.size(), 200u) << message;
    EXPECT_NE(message.find("\xE2\x80\xA6"), std::string::npos) << "truncation is marked: " << message;
}

}  // namespace
}  // namespace contactd::engine
