import Croft

extension Site {
    /// The audit log: who did what to what, from where. The actor's email is copied into the row so an event
    /// still names them after their account is deleted (`actor_id` then becomes NULL). `details` is JSON.
    /// The indexes serve `/staff/audit`'s filters: by time, by actor and by action, newest first.
    static let migration0005CreateAuditEvents = Migration(
        "0005_create_audit_events",
        up: """
            CREATE TABLE audit_events (
                id INTEGER PRIMARY KEY,
                created_at TEXT NOT NULL,
                actor_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
                actor_email TEXT NOT NULL DEFAULT '',
                action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
                target TEXT NOT NULL DEFAULT '' CHECK (length(target) <= 500),
                client_address TEXT NOT NULL DEFAULT '',
                user_agent TEXT NOT NULL DEFAULT '' CHECK (length(user_agent) <= 500),
                details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
            );
            CREATE INDEX audit_events_created ON audit_events (created_at);
            CREATE INDEX audit_events_actor ON audit_events (actor_id, created_at);
            CREATE INDEX audit_events_action ON audit_events (action, created_at);
            CREATE INDEX audit_events_target ON audit_events (target, action, created_at);
            """,
        down: "DROP TABLE audit_events;")
}
