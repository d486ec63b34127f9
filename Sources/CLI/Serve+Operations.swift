import App
import Croft

extension Serve {
    /// Holds `data/croft.lock` shared while serving, so `app restore` knows a server is running.
    func holdProcessLock(_ settings: Settings) throws -> ProcessLock {
        guard let lock = try ProcessLock.acquire(path: ProcessLock.path(dataDirectory: settings.dataDirectory), exclusive: false) else {
            throw CommandFailure("a restore is in progress on \(settings.databasePath); start the server when it has finished.")
        }
        return lock
    }

    /// Logs `app doctor`'s warnings and errors at start-up.
    func logDoctorFindings(settings: Settings, database: DatabasePool, logger: Logger) {
        for finding in Site.doctor(settings).run(database: database) where finding.severity != .ok {
            logger.warning("doctor: \(finding.check): \(finding.message). Fix: \(finding.fix)")
        }
    }

    /// Serves until SIGTERM/SIGINT with the WAL monitor and (optionally) job workers alongside; on shutdown
    /// requests drain first, then running jobs get WORKER_SHUTDOWN_SECONDS, then the database closes.
    func serveWithOperations(app: Application, database: DatabasePool, runWorker: Bool, logger: Logger) async throws {
        let settings = app.settings
        let server = app.makeServer(configuration: app.serverConfiguration)
        // Bind first: a port in use fails here, before any job runs or any line of theirs is logged.
        try server.start()
        let monitor = WALMonitor(database: database, warningBytes: Int64(settings.operations.walWarningMegabytes) * 1_000_000,
                                 logger: logger)
        let monitorTask = Task { await monitor.run() }
        let worker = runWorker ? try Site.makeWorker(settings, database: database, logger: logger) : nil
        let workerTask = worker.map { worker in Task { await worker.run() } }
        if worker == nil { logger.info("job workers not started here (RUN_WORKER_IN_SERVER=false): run `app worker`") }
        try await server.run()
        monitorTask.cancel()
        if let worker {
            await worker.stop(deadline: .seconds(settings.operations.workerShutdownSeconds))
            await workerTask?.value
        }
        app.closeResources()
        database.close()
        logger.info("database closed (WAL checkpointed)")
    }
}
