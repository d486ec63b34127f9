import Croft

extension Site {
    /// Email verification and invitations.
    ///
    /// `users.email_verified_at`: when the address was last proven (a link followed, an invitation accepted);
    /// NULL until then and again after the email changes. Accounts that exist already count as verified:
    /// they signed up when no proof was asked, and `ACCOUNT_EMAIL_VERIFICATION=mandatory` must not lock them
    /// out on upgrade.
    ///
    /// `invitations`: staff invite an address; the link's token is random and only its SHA-256 is stored, so
    /// the table does not hold working links. An invitation is used once (`accepted_at`) and expires.
    static let migration0006EmailVerificationAndInvitations = Migration(
        "0006_email_verification_and_invitations",
        up: """
            ALTER TABLE users ADD COLUMN email_verified_at TEXT;
            UPDATE users SET email_verified_at = created_at;
            CREATE TABLE invitations (
                id INTEGER PRIMARY KEY,
                email TEXT NOT NULL COLLATE NOCASE CHECK (length(email) BETWEEN 3 AND 254),
                token_hash TEXT NOT NULL UNIQUE,
                invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
                make_staff INTEGER NOT NULL DEFAULT 0,
                expires_at TEXT NOT NULL,
                accepted_at TEXT,
                accepted_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX invitations_email ON invitations (email);
            """,
        down: """
            DROP TABLE invitations;
            ALTER TABLE users DROP COLUMN email_verified_at;
            """)
}
