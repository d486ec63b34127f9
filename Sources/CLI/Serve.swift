import App
import ArgumentParser
import Croft

/// `app serve`: create `data/`, open and migrate the database, serve until SIGTERM / SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the site (default http://127.0.0.1:8000).",
        discussion: """
            In development pending migrations are applied on start. In production (ENVIRONMENT=production) the \
            server refuses to start while migrations are pending, unless --migrate is given.
            """)

    @Option(help: "Address to listen on: 127.0.0.1, 0.0.0.0, :: (IPv4 and IPv6) or a host name. Default: HOST or 127.0.0.1.")
    var host: String?

    @Option(help: "Port to listen on. Default: PORT or 8000.")
    var port: Int?

    @Flag(help: "Set SO_REUSEPORT so a new process can bind while the old one drains.")
    var reusePort = false

    @Flag(help: "Apply pending migrations before serving (needed in production).")
    var migrate = false

    @Flag(help: "Run job workers in this process (the default when RUN_WORKER_IN_SERVER is unset or true).")
    var withWorker = false

    @Flag(help: "Do not run job workers here (run `app worker` separately).")
    var withoutWorker = false

    mutating func validate() throws {
        if let port, !(0...65535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535 (got \(port)).")
        }
        if withWorker && withoutWorker { throw ValidationError("Use only one of --with-worker and --without-worker.") }
    }

    func run() async throws {
        var settings = Settings()
        if let host { settings.host = host }
        if let port { settings.port = port }
        if reusePort { settings.reusePort = true }
        bootstrapLogging(level: settings.logLevel)
        let logger = Logger(label: "croft")
        try Site.prepareDataDirectory(settings)
        let lock = try holdProcessLock(settings)
        defer { lock.release() }
        let database = try Site.openDatabase(settings)
        try applyMigrationsIfAllowed(settings: settings, database: database, logger: logger)
        let app = try Site.makeApplication(settings: settings, logger: logger, database: database)
        let purged = try await SessionStore(database: database).purgeExpired()
        if purged > 0 { logger.info("removed \(purged) expired session(s)") }
        logDoctorFindings(settings: settings, database: database, logger: logger)
        if settings.isProduction {
            // A broken template fails the deploy here, not a visitor's request later.
            let count = try app.precompileTemplates()
            logger.info("compiled \(count) templates")
        }
        let runWorker = withWorker || (!withoutWorker && settings.operations.runWorkerInServer)
        try await serveWithOperations(app: app, database: database, runWorker: runWorker, logger: logger)
    }

    private func applyMigrationsIfAllowed(settings: Settings, database: DatabasePool, logger: Logger) throws {
        let pending = try Site.migrator.pendingMigrations(database)
        guard !pending.isEmpty else { return }
        let names = pending.map(\.name).joined(separator: ", ")
        guard !settings.isProduction || migrate else {
            throw CommandFailure("""
                \(pending.count) migration(s) pending: \(names).
                Run `app migrate` first (it takes a backup), or start with `app serve --migrate`.
                """)
        }
        let result = try Site.migrator.migrate(database, backupDirectory: Site.backupDirectory(settings))
        pruneBackups(after: result, settings: settings) { logger.warning("\($0)") }
        if let backup = result.backupPath { logger.info("backup before migrating: \(backup)") }
        logger.info("applied migrations: \(result.applied.joined(separator: ", "))")
    }
}
