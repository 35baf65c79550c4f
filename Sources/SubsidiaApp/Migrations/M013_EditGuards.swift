import Fluent
import SQLKit
import SubsidiaCore

/// The database holds the rule that only a draft's content changes (`ApplicationLifecycle.contentEditable`;
/// documents also while items are missing), so that no path — a page, the API, an autosave racing a submission,
/// M008's trigger, M012's function — can change an application after it was submitted. Every write to a content
/// table, and to the application's own content columns without a change of status, is refused with
/// `subsidia:not_editable` unless the application's status allows it, and counts one more `content_version`.
/// A submission records itself only if `content_version` is still the one its snapshot was built from, so the
/// submitted snapshot is always what is stored. On PostgreSQL the guard updates the application's row first, which
/// takes its lock: a submission's compare-and-set and a content write are serialised, the later one sees the other.
struct M013_EditGuards: AsyncMigration {
    /// The tables that hold an application's content, with the statuses in which each may change.
    static var guarded: [(table: String, statuses: Set<ApplicationStatus>)] {
        [("application_sections", ApplicationLifecycle.contentEditable),
         ("application_answers", ApplicationLifecycle.contentEditable),
         ("expense_lines", ApplicationLifecycle.contentEditable),
         ("revenue_lines", ApplicationLifecycle.contentEditable),
         ("previous_subsidies", ApplicationLifecycle.contentEditable),
         ("application_documents", ApplicationLifecycle.documentsEditable)]
    }

    /// The application's columns that applicants fill in (the task list's sections and the declaration).
    static let contentColumns = [
        "title", "project_start", "project_end", "action_code", "festival_code", "requested_cents", "legal_name", "legal_form",
        "street", "postcode", "locality", "country", "phone", "website", "bank_holder", "iban", "bic", "contact1_name",
        "contact1_function", "contact1_phone", "contact1_email", "contact1_address", "contact2_name", "contact2_function",
        "contact2_phone", "contact2_email", "contact2_address", "revenue_article", "applicant_confirmed", "declaration_name",
        "declaration_function", "declaration_place", "declaration_date", "declared_by", "declared_at",
    ]

    static func list(_ statuses: Set<ApplicationStatus>) -> String {
        statuses.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
    }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let columns = Self.contentColumns.joined(separator: ", ")
        let editable = Self.list(ApplicationLifecycle.contentEditable)
        if sql.dialect.name == "sqlite" {
            try await sql.raw("ALTER TABLE applications ADD COLUMN content_version INTEGER NOT NULL DEFAULT 0").run()
            for (table, statuses) in Self.guarded {
                for (op, row) in [("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")] {
                    // A child row whose application is gone (a cascade) finds no status: NULL is not refused.
                    try await sql.raw("""
                        CREATE TRIGGER guard_\(unsafeRaw: table)_\(unsafeRaw: op.lowercased()) AFTER \(unsafeRaw: op) ON \(unsafeRaw: table) BEGIN \
                        SELECT RAISE(ABORT, 'subsidia:not_editable') WHERE (SELECT status FROM applications \
                        WHERE id = \(unsafeRaw: row).application_id) NOT IN (\(unsafeRaw: Self.list(statuses))); \
                        UPDATE applications SET content_version = content_version + 1 WHERE id = \(unsafeRaw: row).application_id; \
                        END
                        """).run()
                }
            }
            try await sql.raw("""
                CREATE TRIGGER guard_applications_content AFTER UPDATE OF \(unsafeRaw: columns) ON applications \
                WHEN OLD.status = NEW.status BEGIN \
                SELECT RAISE(ABORT, 'subsidia:not_editable') WHERE NEW.status NOT IN (\(unsafeRaw: editable)); \
                UPDATE applications SET content_version = content_version + 1 WHERE id = NEW.id; \
                END
                """).run()
        } else {
            try await sql.raw("ALTER TABLE applications ADD COLUMN content_version BIGINT NOT NULL DEFAULT 0").run()
            try await sql.raw("""
                CREATE FUNCTION subsidia_guard_content() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE app uuid; st text;
                BEGIN
                  IF TG_OP = 'DELETE' THEN app := OLD.application_id; ELSE app := NEW.application_id; END IF;
                  UPDATE applications SET content_version = content_version + 1 WHERE id = app RETURNING status INTO st;
                  IF st IS NOT NULL AND NOT (st = ANY(TG_ARGV)) THEN
                    RAISE EXCEPTION 'subsidia:not_editable' USING ERRCODE = 'P0001';
                  END IF;
                  RETURN NULL;
                END
                $$
                """).run()
            for (table, statuses) in Self.guarded {
                let args = statuses.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
                try await sql.raw("""
                    CREATE TRIGGER guard_\(unsafeRaw: table) AFTER INSERT OR UPDATE OR DELETE ON \(unsafeRaw: table) \
                    FOR EACH ROW EXECUTE FUNCTION subsidia_guard_content(\(unsafeRaw: args))
                    """).run()
            }
            try await sql.raw("""
                CREATE FUNCTION subsidia_guard_application() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF OLD.status = NEW.status THEN
                    IF NOT (NEW.status = ANY(TG_ARGV)) THEN
                      RAISE EXCEPTION 'subsidia:not_editable' USING ERRCODE = 'P0001';
                    END IF;
                    NEW.content_version := OLD.content_version + 1;
                  END IF;
                  RETURN NEW;
                END
                $$
                """).run()
            try await sql.raw("""
                CREATE TRIGGER guard_applications_content BEFORE UPDATE OF \(unsafeRaw: columns) ON applications \
                FOR EACH ROW EXECUTE FUNCTION subsidia_guard_application(\(unsafeRaw: editable))
                """).run()
        }
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        if sql.dialect.name == "sqlite" {
            for (table, _) in Self.guarded {
                for op in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER guard_\(unsafeRaw: table)_\(unsafeRaw: op)").run() }
            }
            try await sql.raw("DROP TRIGGER guard_applications_content").run()
        } else {
            for (table, _) in Self.guarded { try await sql.raw("DROP TRIGGER guard_\(unsafeRaw: table) ON \(unsafeRaw: table)").run() }
            try await sql.raw("DROP TRIGGER guard_applications_content ON applications").run()
            try await sql.raw("DROP FUNCTION subsidia_guard_application()").run()
            try await sql.raw("DROP FUNCTION subsidia_guard_content()").run()
        }
        try await sql.raw("ALTER TABLE applications DROP COLUMN content_version").run()
    }
}
