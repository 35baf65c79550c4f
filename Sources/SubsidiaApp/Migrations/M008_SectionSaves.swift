import Fluent
import SQLKit

/// An autosave as one statement on SQLite. SQLite lets one connection write at a time, so the rate of saves is bounded
/// by how long each write transaction lasts; the autosave's transaction was six statements, each a round trip from
/// the event loop to SQLite's thread and back (measured: 4.2 ms for one autosave alone, 256/s at 64 connections with
/// the CPU half idle). Inserting one row into this view runs the whole save inside SQLite, atomically: the version
/// check (optimistic locking: a stale version aborts with `subsidia:conflict` and changes nothing), the version
/// bump, the typed answers upserted and the emptied ones deleted, and the application's columns that lists read.
/// The answers travel as JSON only to cross into SQLite; they are stored in the typed columns as every other save
/// stores them. On PostgreSQL, M012's function does the same in one call.
struct M008_SectionSaves: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("""
            CREATE VIEW application_section_saves AS SELECT NULL AS application_id, NULL AS section, NULL AS expected_version, \
            NULL AS answers, NULL AS emptied, NULL AS project, NULL AS saved_at WHERE 0
            """).run()
        try await sql.raw("""
            CREATE TRIGGER application_section_saves_insert INSTEAD OF INSERT ON application_section_saves BEGIN \
            SELECT RAISE(ABORT, 'subsidia:conflict') WHERE NOT EXISTS (SELECT 1 FROM application_sections \
            WHERE application_id = NEW.application_id AND section = NEW.section AND version = NEW.expected_version); \
            UPDATE application_sections SET version = version + 1 \
            WHERE application_id = NEW.application_id AND section = NEW.section; \
            INSERT INTO application_answers (id, application_id, question_code, text_value, int_value, date_value, bool_value) \
            SELECT json_extract(value, '$.id'), NEW.application_id, json_extract(value, '$.code'), json_extract(value, '$.text'), \
            json_extract(value, '$.integer'), json_extract(value, '$.date'), json_extract(value, '$.bool') \
            FROM json_each(NEW.answers) WHERE 1 \
            ON CONFLICT (application_id, question_code) DO UPDATE SET text_value = excluded.text_value, \
            int_value = excluded.int_value, date_value = excluded.date_value, bool_value = excluded.bool_value; \
            DELETE FROM application_answers WHERE application_id = NEW.application_id \
            AND question_code IN (SELECT value FROM json_each(NEW.emptied)); \
            UPDATE applications SET updated_at = NEW.saved_at WHERE id = NEW.application_id; \
            UPDATE applications SET title = json_extract(NEW.project, '$.title'), \
            project_start = json_extract(NEW.project, '$.start'), project_end = json_extract(NEW.project, '$.end'), \
            action_code = json_extract(NEW.project, '$.action'), festival_code = json_extract(NEW.project, '$.festival') \
            WHERE id = NEW.application_id AND NEW.project IS NOT NULL; \
            END
            """).run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("DROP TRIGGER application_section_saves_insert").run()
        try await sql.raw("DROP VIEW application_section_saves").run()
    }
}
