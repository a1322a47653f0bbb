-- The rows every authenticated request and every registry request read (API keys, their role bindings, the space
-- tree, modules and their versions) change rarely. A committed change to any of them notifies the channel
-- liftgate_reads_changed, so a process that sees every write as it commits (embedded PGlite) can keep those reads in
-- memory and forget them at once (store/read-cache.ts). Statement-level: one notification per statement, also for
-- rows changed by a cascade, and none for a transaction that rolls back.
CREATE FUNCTION liftgate_reads_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('liftgate_reads_changed', TG_TABLE_NAME); RETURN NULL; END
$$;
CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION liftgate_reads_changed();
CREATE TRIGGER role_bindings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON role_bindings
  FOR EACH STATEMENT EXECUTE FUNCTION liftgate_reads_changed();
CREATE TRIGGER spaces_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON spaces
  FOR EACH STATEMENT EXECUTE FUNCTION liftgate_reads_changed();
CREATE TRIGGER modules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON modules
  FOR EACH STATEMENT EXECUTE FUNCTION liftgate_reads_changed();
CREATE TRIGGER module_versions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON module_versions
  FOR EACH STATEMENT EXECUTE FUNCTION liftgate_reads_changed();
