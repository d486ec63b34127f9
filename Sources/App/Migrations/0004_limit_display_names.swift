import Croft

extension Site {
    /// Display names: at most 80 characters and no control characters, as the sign-up and profile forms
    /// check, now also in the table (sign-up once accepted 300,000 characters). Longer names already stored
    /// are cut to 80; control characters in them become spaces.
    static let migration0004LimitDisplayNames = Migration(
        "0004_limit_display_names", version: "1", disablesForeignKeys: true,
        up: { db in
            for (id, name) in try db.fetchAll("SELECT id, display_name FROM users").map({ (try $0.int64("id"), try $0.string("display_name")) }) {
                // SQLite's length() counts code points, so the cut is by Unicode scalars too.
                let scalars = name.unicodeScalars.prefix(TextRules.maxDisplayNameLength)
                    .map { TextRules.hasControlCharacters(String($0), multiline: false) ? " " : $0 }
                let cleaned = String(String.UnicodeScalarView(scalars))
                if cleaned != name { try db.execute("UPDATE users SET display_name = ? WHERE id = ?", cleaned, id) }
            }
            try db.rebuildTable("users", newDefinition: usersDefinition(displayNameCheck: """
                CHECK (length(display_name) <= 80 AND display_name NOT GLOB '*[\(controlCharacterClass)]*')
                """))
        },
        down: { db in
            try db.rebuildTable("users", newDefinition: usersDefinition(displayNameCheck: ""))
        })

    /// The users table of 0001, with a constraint on `display_name`.
    static func usersDefinition(displayNameCheck: String) -> String {
        """
        (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '' \(displayNameCheck),
            theme TEXT NOT NULL DEFAULT 'system' CHECK (theme IN ('light', 'dark', 'system')),
            is_staff INTEGER NOT NULL DEFAULT 0,
            is_active INTEGER NOT NULL DEFAULT 1,
            last_login_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    }

    /// The C0 controls and DEL as the inside of a GLOB character class (char() makes them in SQL).
    static var controlCharacterClass: String {
        "' || char(\((1...31).map(String.init).joined(separator: ", ")), 127) || '"
    }
}
