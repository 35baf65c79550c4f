import Fluent
import SQLKit

/// An autosave as one call on PostgreSQL, as M008 makes it one statement on SQLite. The save was a transaction of
/// five round trips (begin, the version's bump, the answers' upsert, the row's columns, commit), and PostgreSQL
/// parsed and planned each statement anew, since the driver sends every query unprepared: planning was 28 % of
/// the database's time and parsing 13 % (`perf record -a`, autosave at 64 connections, bench/RESULTS.md). A PL/pgSQL
/// function keeps the plans of its statements for the life of the connection and runs them in one statement's
/// transaction, all or nothing: the version check (optimistic locking: a stale version returns NULL and changes
/// nothing), the version bump, the typed answers upserted and the emptied ones deleted, and the application's columns
/// that lists read. The answers travel as JSON only to cross into the function; they are stored in the typed columns
/// as every other save stores them.
struct M012_SectionSavesPostgres: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("""
            CREATE FUNCTION subsidia_save_section(p_application uuid, p_section text, p_expected bigint, \
            p_answers jsonb, p_emptied jsonb, p_project jsonb, p_saved_at timestamptz) RETURNS bigint \
            LANGUAGE plpgsql AS $$
            DECLARE saved bigint;
            BEGIN
              UPDATE application_sections SET version = version + 1
                WHERE application_id = p_application AND section = p_section AND version = p_expected
                RETURNING version INTO saved;
              IF saved IS NULL THEN RETURN NULL; END IF;
              INSERT INTO application_answers (id, application_id, question_code, text_value, int_value, date_value,
                  bool_value)
                SELECT (a->>'id')::uuid, p_application, a->>'code', a->>'text', (a->>'integer')::bigint, a->>'date',
                  (a->>'bool')::boolean
                FROM jsonb_array_elements(p_answers) AS a
                ON CONFLICT (application_id, question_code) DO UPDATE SET text_value = excluded.text_value,
                  int_value = excluded.int_value, date_value = excluded.date_value, bool_value = excluded.bool_value;
              IF jsonb_array_length(p_emptied) > 0 THEN
                DELETE FROM application_answers WHERE application_id = p_application
                  AND question_code IN (SELECT jsonb_array_elements_text(p_emptied));
              END IF;
              IF p_project IS NULL THEN
                UPDATE applications SET updated_at = p_saved_at WHERE id = p_application;
              ELSE
                UPDATE applications SET updated_at = p_saved_at, title = p_project->>'title',
                  project_start = p_project->>'start', project_end = p_project->>'end',
                  action_code = p_project->>'action', festival_code = p_project->>'festival'
                  WHERE id = p_application;
              END IF;
              RETURN saved;
            END
            $$
            """).run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("""
            DROP FUNCTION subsidia_save_section(uuid, text, bigint, jsonb, jsonb, jsonb, timestamptz)
            """).run()
    }
}
