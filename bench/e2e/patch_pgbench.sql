-- pgbench script of the end-to-end benchmark (bench/e2e): the physical reference of a single-contact PATCH.
-- One autocommit transaction per PATCH: an UPDATE of one random contact (from the same ids wrk uses, numbered
-- in bench_patch_ids) that sets a new title, bumps the version and returns the row, as contactd's answer does.
\set n random(1, :ids)
\set t random(1, 1000000000)
UPDATE contacts AS c SET title = 'Title ' || :t, version = c.version + 1, updated_at = now() FROM bench_patch_ids AS b WHERE b.n = :n AND c.workspace_id = b.workspace_id AND c.id = b.id RETURNING c.*;
