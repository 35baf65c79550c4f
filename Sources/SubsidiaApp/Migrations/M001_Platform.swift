import Fluent
import SQLKit

/// The platform's first tables: accounts, sessions, outbox, audit, organisations, programmes, calls,
/// information sessions and the register. Runs on SQLite and PostgreSQL. Never edit once landed.
struct M001_Platform: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("users")
            .id()
            .field("created_at", .datetime)
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("is_active", .bool, .required)
            .field("email_confirmed_at", .datetime)
            .field("language", .string)
            .unique(on: "email")
            .create()

        try await db.schema("user_tokens")
            .id()
            .field("created_at", .datetime)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()

        try await db.schema("login_throttles")
            .field("key", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("window_start", .datetime, .required)
            .field("last_failure", .datetime, .required)
            .create()

        try await db.schema("sessions")
            .field("id", .string, .identifier(auto: false))
            .field("user_id", .uuid, .references("users", "id", onDelete: .cascade))
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("flash", .string)
            .create()

        try await db.schema("outbox_messages")
            .id()
            .field("created_at", .datetime, .required)
            .field("to_email", .string, .required)
            .field("user_id", .uuid)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime)
            .field("sent_at", .datetime)
            .field("last_error", .string)
            .create()

        try await db.schema("audit_events")
            .id()
            .field("occurred_at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_email", .string)
            .field("action", .string, .required)
            .field("entity_type", .string, .required)
            .field("entity_id", .string)
            .field("ip", .string)
            .field("summary", .string, .required)
            .create()

        try await db.schema("organisations")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("version", .int, .required)
            .field("legal_name", .string, .required)
            .field("original_name", .string)
            .field("legal_form", .string, .required)
            .field("rcs_number", .string)
            .field("street", .string, .required)
            .field("postcode", .string, .required)
            .field("locality", .string, .required)
            .field("country", .string, .required)
            .field("phone", .string)
            .field("website", .string)
            .field("bank_holder", .string)
            .field("iban", .string)
            .field("bic", .string)
            .field("contact1_name", .string, .required)
            .field("contact1_function", .string, .required)
            .field("contact1_phone", .string, .required)
            .field("contact1_email", .string, .required)
            .field("contact1_address", .string)
            .field("contact2_name", .string)
            .field("contact2_function", .string)
            .field("contact2_phone", .string)
            .field("contact2_email", .string)
            .field("contact2_address", .string)
            .field("pakt_signed", .bool)
            .create()

        try await db.schema("memberships")
            .id()
            .field("created_at", .datetime)
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role", .string, .required)
            .field("is_signatory", .bool, .required)
            .unique(on: "organisation_id", "user_id")
            .create()

        try await db.schema("invitations")
            .id()
            .field("created_at", .datetime)
            .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .cascade))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("is_signatory", .bool, .required)
            .field("token_hash", .string, .required)
            .field("invited_by", .uuid, .required)
            .field("expires_at", .datetime, .required)
            .field("accepted_at", .datetime)
            .unique(on: "token_hash")
            .create()

        try await db.schema("programmes")
            .id()
            .field("created_at", .datetime)
            .field("code", .string, .required)
            .field("name_fr", .string, .required)
            .field("name_en", .string, .required)
            .field("name_de", .string, .required)
            .field("fund", .string, .required)
            .field("managing_authority", .string, .required)
            .field("intermediate_body", .string)
            .field("contact_email", .string, .required)
            .field("contact_phone", .string)
            .field("visibility_mention", .string)
            .unique(on: "code")
            .create()

        try await db.schema("calls")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("version", .int, .required)
            .field("programme_id", .uuid, .required, .references("programmes", "id"))
            .field("reference", .string, .required)
            .field("title_fr", .string, .required)
            .field("title_en", .string, .required)
            .field("title_de", .string, .required)
            .field("summary_fr", .string, .required)
            .field("summary_en", .string, .required)
            .field("summary_de", .string, .required)
            .field("rule_set", .string, .required)
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("opens_at", .datetime, .required)
            .field("closes_at", .datetime)
            .field("cost_start", .string)
            .field("cost_end", .string)
            .field("lead_time_days", .int, .required)
            .field("eligible_legal_forms", .string, .required)
            .field("seat_country", .string, .required)
            .field("max_amount_cents", .int64)
            .field("max_rate_bp", .int)
            .field("global_budget_cents", .int64)
            .field("is_demo", .bool, .required)
            .unique(on: "reference")
            .create()

        try await db.schema("call_objectives")
            .id()
            .field("call_id", .uuid, .required, .references("calls", "id", onDelete: .cascade))
            .field("code", .string, .required)
            .field("title_fr", .string, .required)
            .field("title_en", .string, .required)
            .field("title_de", .string, .required)
            .field("position", .int, .required)
            .unique(on: "call_id", "code")
            .create()

        try await db.schema("call_actions")
            .id()
            .field("call_id", .uuid, .required, .references("calls", "id", onDelete: .cascade))
            .field("objective_id", .uuid, .references("call_objectives", "id", onDelete: .setNull))
            .field("code", .string, .required)
            .field("title_fr", .string, .required)
            .field("title_en", .string, .required)
            .field("title_de", .string, .required)
            .field("envelope_cents", .int64, .required)
            .field("max_rate_bp", .int, .required)
            .field("position", .int, .required)
            .unique(on: "call_id", "code")
            .create()

        try await db.schema("call_items")
            .id()
            .field("call_id", .uuid, .required, .references("calls", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("code", .string, .required)
            .field("label_fr", .string, .required)
            .field("label_en", .string, .required)
            .field("label_de", .string, .required)
            .field("amount_cents", .int64)
            .field("required", .bool, .required)
            .field("position", .int, .required)
            .unique(on: "call_id", "kind", "code")
            .create()

        try await db.schema("information_sessions")
            .id()
            .field("call_id", .uuid, .required, .references("calls", "id", onDelete: .cascade))
            .field("starts_at", .datetime, .required)
            .field("duration_minutes", .int, .required)
            .field("place", .string, .required)
            .field("capacity", .int, .required)
            .create()

        try await db.schema("session_registrations")
            .id()
            .field("created_at", .datetime)
            .field("session_id", .uuid, .required, .references("information_sessions", "id", onDelete: .cascade))
            .field("call_id", .uuid, .required, .references("calls", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("email", .string, .required)
            .field("organisation_name", .string, .required)
            .unique(on: "call_id", "email")
            .create()

        try await db.schema("register_projects")
            .id()
            .field("updated_at", .datetime)
            .field("fund", .string, .required)
            .field("specific_objective", .string, .required)
            .field("call_label", .string, .required)
            .field("leader_name", .string)
            .field("leader_original_name", .string)
            .field("title", .string, .required)
            .field("start_date", .string, .required)
            .field("end_date", .string, .required)
            .field("target_audience", .string, .required)
            .field("objective", .string, .required)
            .field("country", .string, .required)
            .create()

        // Indexes for what lists filter and sort on, and for the purge jobs.
        if let sql = db as? any SQLDatabase {
            let indexes: [(String, String, [String])] = [
                ("idx_sessions_user", "sessions", ["user_id"]),
                ("idx_sessions_expires", "sessions", ["expires_at"]),
                ("idx_tokens_user", "user_tokens", ["user_id"]),
                ("idx_outbox_created", "outbox_messages", ["created_at"]),
                ("idx_outbox_to", "outbox_messages", ["to_email", "created_at"]),
                ("idx_outbox_status", "outbox_messages", ["status", "next_attempt_at"]),
                ("idx_audit_time", "audit_events", ["occurred_at"]),
                ("idx_audit_entity", "audit_events", ["entity_type", "entity_id"]),
                ("idx_audit_actor", "audit_events", ["actor_id"]),
                ("idx_memberships_user", "memberships", ["user_id"]),
                ("idx_invitations_org", "invitations", ["organisation_id"]),
                ("idx_calls_status", "calls", ["status", "opens_at"]),
                ("idx_actions_call", "call_actions", ["call_id", "position"]),
                ("idx_sessions_call", "information_sessions", ["call_id", "starts_at"]),
                ("idx_registrations_session", "session_registrations", ["session_id"]),
                ("idx_users_name", "users", ["name"]),
            ]
            for (name, table, columns) in indexes {
                var builder = sql.create(index: name).on(table)
                for c in columns { builder = builder.column(c) }
                try await builder.run()
            }
        }
    }

    func revert(on db: any Database) async throws {
        for table in ["register_projects", "session_registrations", "information_sessions", "call_items", "call_actions",
                      "call_objectives", "calls", "programmes", "invitations", "memberships", "organisations",
                      "audit_events", "outbox_messages", "sessions", "login_throttles", "user_tokens", "users"] {
            try await db.schema(table).delete()
        }
    }
}
