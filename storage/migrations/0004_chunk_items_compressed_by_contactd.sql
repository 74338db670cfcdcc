-- contactd schema, part 4: staged items arrive compressed.
--
-- contactd compresses each chunk's items itself (storage/chunk_codec.hpp): PostgreSQL's lz4 ran in the one
-- backend that takes a batch's COPY, about a quarter of its time, and bound a large batch's acceptance.
-- EXTERNAL keeps the values out of line without trying to compress them again. Chunks staged before this
-- (compressed by PostgreSQL) read back as they were.
--
-- The setting only saves PostgreSQL a second compression that gains nothing; every chunk reads the same
-- without it. Citus may refuse SET STORAGE on a distributed table: then the column is left as it is.
DO $$
BEGIN
    ALTER TABLE job_chunks ALTER COLUMN items SET STORAGE EXTERNAL;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'job_chunks.items keeps its storage: %', SQLERRM;
END
$$;
