-- contactd schema, part 2: batch jobs.
--
-- A job is accepted in one transaction: its items are COPYed as chunks (job_chunks) and the job row is
-- inserted, then committed; only then is 202 sent. Workers take a workspace's lane (workspace_lanes,
-- claimed with FOR UPDATE SKIP LOCKED under a lease that expires) and apply its pending chunks in
-- acceptance order; each chunk's data changes and its result lines commit in one transaction.
-- All tables are tenant tables keyed by workspace_id first (SPEC §8); no triggers; no volatile functions
-- in updates (times arrive as parameters); counts are summed from chunks on read, so no row is a hot
-- counter.

-- Acceptance order across a workspace's jobs. Gaps are allowed; only the order matters.
CREATE SEQUENCE job_acceptance_seq AS bigint;

CREATE TABLE jobs (
    workspace_id      text NOT NULL,
    id                uuid NOT NULL,
    seq               bigint NOT NULL,
    status            text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'cancelled', 'failed')),
    mode              text NOT NULL CHECK (mode IN ('upsert', 'create', 'update')),
    semantics         text NOT NULL CHECK (semantics IN ('patch', 'put')),
    invalid_fields    text NOT NULL CHECK (invalid_fields IN ('drop', 'reject')),
    dry_run           boolean NOT NULL,
    callback_url      text,
    idempotency_key   text,
    request_sha256    bytea NOT NULL,   -- body and query string as received
    total_items       bigint NOT NULL,
    chunk_count       integer NOT NULL,
    message           text,             -- why a job failed
    created_at        timestamptz NOT NULL,
    started_at        timestamptz,
    finished_at       timestamptz,
    callback_status   text CHECK (callback_status IN ('pending', 'delivered', 'abandoned')),
    callback_attempts integer NOT NULL,
    callback_next_at  timestamptz,
    PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_unfinished ON jobs (workspace_id, seq) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_callbacks_due ON jobs (callback_next_at) WHERE callback_status = 'pending';

-- Items in chunks of up to ~1,000, in submission order. `items` uses contactd's chunk framing
-- (storage/chunk_codec.hpp); `results` holds the chunk's result lines (NDJSON) once it is applied.
CREATE TABLE job_chunks (
    workspace_id       text NOT NULL,
    job_id             uuid NOT NULL,
    chunk_no           integer NOT NULL,
    job_seq            bigint NOT NULL,
    first_index        bigint NOT NULL,
    item_count         integer NOT NULL,
    items              bytea NOT NULL,
    state              smallint NOT NULL CHECK (state IN (0, 1, 2)),  -- 0 pending, 1 applied, 2 cancelled
    results            text,
    ok_count           integer,
    ignored_count      integer,
    created_count      integer,
    updated_count      integer,
    unchanged_count    integer,
    with_remarks_count integer,
    ignored_by_code    text,   -- {"CODE": n, ...}
    finished_at        timestamptz,
    PRIMARY KEY (workspace_id, job_id, chunk_no)
);
ALTER TABLE job_chunks ALTER COLUMN items SET COMPRESSION lz4;
ALTER TABLE job_chunks ALTER COLUMN results SET COMPRESSION lz4;
CREATE INDEX job_chunks_pending ON job_chunks (workspace_id, job_seq, chunk_no) WHERE state = 0;

-- One row per workspace that has had work: who may apply its chunks now. Holding the lane is what keeps
-- a workspace's items in acceptance order across workers and nodes.
CREATE TABLE workspace_lanes (
    workspace_id text NOT NULL PRIMARY KEY,
    lease_owner  text,
    lease_token  uuid,
    lease_until  timestamptz NOT NULL
);
