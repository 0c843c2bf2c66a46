-- Makes FerretDB v1's PostgreSQL backend answer Task Center's lookups from an index.
--
-- FerretDB v1 sends every pushed-down equality as `_jsonb -> 'field' @> 'value'` (a
-- containment test), but builds its own indexes as btrees on `_jsonb -> 'field'`, which
-- cannot serve `@>`: every lookup, by `_id` too, is a sequential scan of the collection
-- (FerretDB issue #4646; fixed only in v2). Measured on this project's stack with 100,000
-- documents: findOne by _id 23 ms, updateOne by _id 23 ms, a bulk of 8 updates 195 ms.
--
-- Two things fix it (same probe: 1.2 ms, 1.2 ms and 11 ms):
--   1. a GIN index on `_jsonb -> 'field'`, which does serve `@>`, for `_id` of every
--      collection and for the other fields Task Center looks up by equality;
--   2. `plan_cache_mode = force_custom_plan`: FerretDB passes the field name as a query
--      parameter, and only a custom plan sees it as the constant the index is built on.
--
-- Run it against FerretDB's PostgreSQL database after the task center has started once (it
-- creates the collections); run it again after adding a MongoDB-wire database. Idempotent.
--   psql "postgres://…/ferretdb" -v ON_ERROR_STOP=1 -f stack/ferretdb-pg-indexes.sql
-- `npm run stack:up` with STACK_MONGO_BACKEND=postgresql starts PostgreSQL with
-- plan_cache_mode already set; elsewhere the ALTER DATABASE below applies to connections
-- opened after it: restart FerretDB once.

DO $$
DECLARE
  db text;
  coll record;
  field text;
  idx text;
  made int := 0;
BEGIN
  EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = force_custom_plan', current_database());
  FOR db IN
    SELECT table_schema FROM information_schema.tables
    WHERE table_name = '_ferretdb_database_metadata'
  LOOP
    FOR coll IN EXECUTE format(
      'SELECT _jsonb ->> ''_id'' AS name, _jsonb ->> ''table'' AS tbl, _jsonb -> ''indexes'' AS indexes
         FROM %I._ferretdb_database_metadata', db)
    LOOP
      -- `_id` always; other fields when the collection has a MongoDB index on them and
      -- Task Center reads them by equality (due_slot: the read-ahead; name, uniq_key: the API;
      -- task_id: run history; status: GET /v1/api/tasks?status=<one status>, which pushes
      -- down as equality, while several statuses are an $in FerretDB v1 does not push down).
      -- `topic` of `tasks` too, with no MongoDB index (there the search reads the status
      -- indexes in order): GET /v1/api/tasks?topic=… pushes it down as equality, and without
      -- this index PostgreSQL reads the whole table to find a rare topic's rows.
      -- rb: the retention purge deletes one bucket per statement by equality (docs/retention.md).
      FOR field IN
        SELECT '_id'
        UNION
        SELECT k FROM jsonb_array_elements(coll.indexes) AS i, jsonb_object_keys(i -> 'key') AS k
        WHERE k IN ('due_slot', 'name', 'uniq_key', 'task_id', 'status', 'rb')
        UNION
        SELECT 'topic' WHERE coll.name = 'tasks'
      LOOP
        idx := left(coll.tbl || '_' || replace(field, '_', '') || '_gin', 63);
        IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = db AND indexname = idx) THEN
          EXECUTE format('CREATE INDEX %I ON %I.%I USING gin ((_jsonb -> %L))',
                         idx, db, coll.tbl, field);
          made := made + 1;
        END IF;
      END LOOP;
    END LOOP;
  END LOOP;
  RAISE NOTICE 'ferretdb-pg-indexes: % GIN index(es) created', made;
END
$$;
