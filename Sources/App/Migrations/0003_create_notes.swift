import Croft

extension Site {
    /// Notes: each belongs to one user and goes when its owner's account is deleted.
    ///
    /// The index serves the list page: one owner's notes, most recently updated first.
    static let migration0003CreateNotes = Migration(
        "0003_create_notes",
        up: """
            CREATE TABLE notes (
                id INTEGER PRIMARY KEY,
                owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
                body TEXT NOT NULL DEFAULT '' CHECK (length(body) <= 100000),
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX notes_owner_updated ON notes (owner_id, updated_at);
            """,
        down: "DROP TABLE notes;")
}
