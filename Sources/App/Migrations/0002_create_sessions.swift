import Croft

extension Site {
    /// Server-side sessions (keyed by the SHA-256 of the cookie's id) and the login-failure log behind throttling.
    static let migration0002CreateSessions = Migration(
        "0002_create_sessions",
        up: SessionStore.createTableSQL + """

            CREATE TABLE login_failures (
                id INTEGER PRIMARY KEY,
                email TEXT NOT NULL COLLATE NOCASE,
                client_address TEXT NOT NULL,
                failed_at REAL NOT NULL
            );
            CREATE INDEX login_failures_lookup ON login_failures (email, client_address, failed_at);
            """,
        down: "DROP TABLE login_failures; DROP TABLE sessions;")
}
