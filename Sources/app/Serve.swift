import App
import ArgumentParser
import Croft

/// `app serve`: create `data/` if needed and serve the site until SIGTERM / SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the site (default http://127.0.0.1:8000).")

    @Option(help: "Address to listen on: 127.0.0.1, 0.0.0.0, :: (IPv4 and IPv6) or a host name. Default: HOST or 127.0.0.1.")
    var host: String?

    @Option(help: "Port to listen on. Default: PORT or 8000.")
    var port: Int?

    @Flag(help: "Set SO_REUSEPORT so a new process can bind while the old one drains.")
    var reusePort = false

    mutating func validate() throws {
        if let port, !(0...65535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535 (got \(port)).")
        }
    }

    func run() async throws {
        var settings = Settings()
        if let host { settings.host = host }
        if let port { settings.port = port }
        if reusePort { settings.reusePort = true }
        bootstrapLogging(level: settings.logLevel)
        let logger = Logger(label: "croft")
        try Site.prepareDataDirectory(settings)
        let app = try Site.makeApplication(settings: settings, logger: logger)
        if settings.isProduction {
            // A broken template fails the deploy here, not a visitor's request later.
            let count = try app.precompileTemplates()
            logger.info("compiled \(count) templates")
        }
        try await app.serve()
    }
}
