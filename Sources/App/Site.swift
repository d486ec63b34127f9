import Croft
import Foundation

/// The starter site: builds the application a user grows their product from.
public enum Site {
    /// The version shown on the staff pages and `/health`.
    public static let version = "0.1.0"

    /// Creates the application with every route and middleware of the site.
    public static func makeApplication(
        settings: Settings = Settings(), logger: Logger = Logger(label: "croft"), database: DatabasePool? = nil
    ) throws -> Application {
        let app = ApplicationBuilder(settings: settings, logger: logger, database: database)
        // Read-only maintenance mode answers writes with 503 before any session or CSRF work; staff can still
        // switch it off from /staff/.
        app.use(MaintenanceMiddleware(mode: maintenanceMode(settings)).excluding("/staff/maintenance"))
        if let database {
            // Log-in and sign-up floods are counted per address before anything else works for them.
            let cache = try openCache(settings)
            app.closeOnShutdown { cache.close() }
            let limits = AccountRateLimits(cache: cache, settings: settings)
            app.use(AccountRateLimitsMiddleware(limits: ["/accounts/login": limits.login, "/accounts/signup": limits.signup,
                                                         "/accounts/password/reset": limits.passwordReset,
                                                         "/accounts/verify/resend": limits.passwordReset],
                                                trustedProxies: settings.trustedProxies))
            let (secret, source) = try SecretKey.load(settings: settings)
            if case .generated(let path) = source {
                logger.notice("SECRET_KEY is not set: generated one and saved it in \(path) (mode 0600)")
            }
            // Static files and the health check need no session: no database work for them.
            let store = SessionStore(database: database)
            app.use(SessionMiddleware(store: store, trustedProxies: settings.trustedProxies).excluding("/static/", "/health"))
            app.use(CSRFMiddleware(secret: secret, trustedProxies: settings.trustedProxies).excluding("/static/", "/health"))
            let tokens = AccountTokens(secret: secret, timeout: settings.accounts.passwordResetTimeout,
                                       verificationTimeout: settings.accounts.emailVerificationTimeout)
            app.use(CurrentUserMiddleware(authHash: SessionAuthHash(secret: secret), tokens: tokens).excluding("/static/", "/health"))
        }
        try registerRoutes(app)
        return app.build()
    }

    /// Opens the main database (`DATABASE_PATH`) with the production pragmas; the error names the path and why.
    /// Refuses (``SiteError/invalidSettings(_:)``) while any setting has a problem.
    public static func openDatabase(_ settings: Settings) throws -> DatabasePool {
        guard settings.problems.isEmpty else { throw SiteError.invalidSettings(settings.problems) }
        return try DatabasePool(path: settings.databasePath, configuration: settings.databaseConfiguration)
    }

    /// Where every backup goes, `BACKUP_DIR` (default `data/backups`): the pre-migrate copies of `app migrate`
    /// and `app serve`, `app backup`, the nightly job, restores and the staff pages all read this one setting.
    public static func backupDirectory(_ settings: Settings) -> String {
        settings.operations.backupDirectory
    }

    /// Creates `data/` (the SQLite volume) if it is missing; fails with the path and the reason.
    public static func prepareDataDirectory(_ settings: Settings) throws {
        do {
            try FileManager.default.createDirectory(atPath: settings.dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw SiteError.dataDirectory(path: settings.dataDirectory, reason: error.localizedDescription)
        }
        guard FileManager.default.isWritableFile(atPath: settings.dataDirectory) else {
            throw SiteError.dataDirectory(path: settings.dataDirectory, reason: "it is not writable by this user")
        }
    }
}

/// Start-up failures of the site, each naming what to fix.
public enum SiteError: Error, CustomStringConvertible {
    /// `data/` cannot be created or written.
    case dataDirectory(path: String, reason: String)
    /// Environment or `.env` values that do not parse or that SQLite would ignore (``Settings/problems``).
    case invalidSettings([String])

    public var description: String {
        switch self {
        case .dataDirectory(let path, let reason):
            "cannot use the data directory \(path): \(reason). Set DATA_DIR to a writable directory."
        case .invalidSettings(let problems):
            "invalid settings: \(problems.joined(separator: "; ")). Fix them in the environment or .env (see .env.example)."
        }
    }
}
