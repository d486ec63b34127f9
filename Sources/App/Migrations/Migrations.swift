import Croft

extension Site {
    /// Every migration of the site, oldest first. Names are stable: never rename or edit one that has been
    /// applied anywhere; add a new one with `swift run app makemigration NAME`.
    public static let migrations: [Migration] = [
        migration0001CreateUsers,
        migration0002CreateSessions,
        migration0003CreateNotes,
        migration0004LimitDisplayNames,
        migration0005CreateAuditEvents,
        migration0006EmailVerificationAndInvitations,
        // `app makemigration` adds new migrations above this line.
    ]

    /// The migrator for `migrations`.
    public static var migrator: Migrator { Migrator(migrations) }
}
