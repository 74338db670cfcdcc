-- contactd schema, part 1: workspaces, keys and contacts.
--
-- Citus rules (SPEC §8) this file follows:
--   * workspaces and api_keys are small, rarely written and global: reference tables on Citus.
--   * every other table is a tenant table: workspace_id leads its primary key and every unique index.
--   * no triggers; no volatile defaults that statements rely on; times arrive as parameters.
--   * uniqueness lives in unique indexes, so concurrent writers can never create a duplicate.

CREATE TABLE workspaces (
    id                  text PRIMARY KEY,
    name                text NOT NULL,
    identifier_field    text NOT NULL CHECK (identifier_field IN ('phone', 'email', 'external_reference_id')),
    default_country     text,
    date_format         text,
    lead_stages         text[] NOT NULL,
    custom_fields       jsonb NOT NULL,   -- [{"slug", "type", "max_length"}]
    requests_per_minute integer NOT NULL CHECK (requests_per_minute > 0),
    items_per_second    integer NOT NULL CHECK (items_per_second > 0),
    suspended           boolean NOT NULL,
    webhook_secret      text NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

-- Keys are looked up by hash before the workspace is known, so this table is global (a Citus reference
-- table) and its hash index may be unique across workspaces.
CREATE TABLE api_keys (
    workspace_id text NOT NULL REFERENCES workspaces (id),
    key_id       text NOT NULL,
    key_hash     bytea NOT NULL,  -- SHA-256 of the whole key; the key itself is never stored
    scope        text NOT NULL CHECK (scope IN ('read', 'write')),
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    PRIMARY KEY (workspace_id, key_id)
);
CREATE UNIQUE INDEX api_keys_by_hash ON api_keys (key_hash);

-- One row per canonical contact. Unique values are not indexed here but claimed in contact_keys,
-- because e-mails and phones are multi-valued.
CREATE TABLE contacts (
    workspace_id                  text NOT NULL,
    id                            uuid NOT NULL,
    version                       bigint NOT NULL,
    created_at                    timestamptz NOT NULL,
    updated_at                    timestamptz NOT NULL,
    identifier                    text,      -- the immutable identifier value, once set
    first_name                    text,
    last_name                     text,
    second_last_name              text,
    company_name                  text,
    title                         text,
    emails                        text[] NOT NULL,
    phones                        text[] NOT NULL,
    whatsapp                      text,
    tags                          text[] NOT NULL,
    locations                     text[] NOT NULL,
    status                        text,
    priority                      smallint,
    source                        text,
    country_code                  text,
    language                      text,
    whatsapp_transactional_opt_in boolean,
    email_transactional_opt_in    boolean,
    whatsapp_marketing_opt_in     boolean,
    email_marketing_opt_in        boolean,
    external_reference_id         text,
    external_reference_url        text,
    custom_fields                 jsonb NOT NULL,  -- {"slug": value}; dates as Unix milliseconds
    PRIMARY KEY (workspace_id, id)
) WITH (fillfactor = 85);  -- room on each page, so that updates stay HOT (no indexed column ever changes)
CREATE INDEX contacts_by_created ON contacts (workspace_id, created_at, id);

-- Unique-value claims: one row per e-mail, WhatsApp number and external reference id of a contact, and
-- per phone when the workspace identifies contacts by phone. The primary key is the uniqueness rule;
-- a claim is taken with INSERT ... ON CONFLICT DO NOTHING, so a lost race is a result, not an error.
-- kind: 1 email, 2 phone, 3 whatsapp, 4 external_reference_id.
CREATE TABLE contact_keys (
    workspace_id text NOT NULL,
    kind         smallint NOT NULL CHECK (kind BETWEEN 1 AND 4),
    value        text NOT NULL,
    contact_id   uuid NOT NULL,
    PRIMARY KEY (workspace_id, kind, value),
    -- E-mails are claimed lower-cased (ASCII, as the engine does: hence the C collation, whatever the
    -- database locale), which makes the primary key case-insensitive for them.
    CHECK (kind <> 1 OR value = lower(value COLLATE "C"))
);

-- A merged contact's id resolves to the contact it was merged into. Chains are compressed on merge,
-- so one lookup always reaches the canonical contact.
CREATE TABLE contact_aliases (
    workspace_id text NOT NULL,
    alias_id     uuid NOT NULL,
    contact_id   uuid NOT NULL,
    merged_at    timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, alias_id)
);
CREATE INDEX contact_aliases_by_target ON contact_aliases (workspace_id, contact_id);
