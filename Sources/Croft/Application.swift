import Foundation
import Synchronization

/// The framework's centre: settings, router, middleware and the error funnel, served by a `Server`.
///
/// Configure it (routes, middleware) before serving; after `serve()` starts it is only read.
///
/// ```swift
/// let app = Application(settings: Settings())
/// try app.router.get("/") { _ in .html("<h1>Hello</h1>") }
/// try await app.serve()
/// ```
public final class Application: @unchecked Sendable {
    /// The configuration read at start-up.
    public let settings: Settings
    /// The route table.
    public let router = Router()
    /// The application logger.
    public let logger: Logger
    /// Turns thrown errors into responses; pages come from `Templates/errors/` when present.
    public var errors: ErrorResponder
    /// The template environment (`Templates/`), with `{% url %}` and `{% static %}` wired to this app.
    public let templates: TemplateEnvironment
    /// The content hashes `{% static %}` puts in asset URLs (`?v=`), for `PUBLIC_DIR`.
    public let staticAssets: StaticAssetHasher
    /// The main database (`DATABASE_PATH`), when the application has one.
    public let database: DatabasePool?
    /// When the application was created (for uptime).
    public let startedAt = Date()
    private let served = Atomic<Int>(0)
    private var middleware: [any Middleware] = []
    private let closers = Mutex<[@Sendable () -> Void]>([])
    private var chain: Handler?

    /// Creates an application with the default middleware (security headers, allowed hosts).
    public init(settings: Settings, logger: Logger = Logger(label: "croft"), database: DatabasePool? = nil) {
        self.settings = settings
        self.database = database
        var logger = logger
        logger.logLevel = settings.logLevel
        self.logger = logger
        self.errors = ErrorResponder(logger: logger, debug: settings.debug)
        staticAssets = StaticAssetHasher(root: URL(fileURLWithPath: settings.publicDirectory), prefix: "/static/")
        self.templates = Application.makeTemplates(settings: settings, router: router, hasher: staticAssets)
        middleware = [
            SecurityHeadersMiddleware(trustedProxies: settings.trustedProxies, logger: logger),
            AllowedHostsMiddleware(hosts: settings.allowedHosts),
        ]
        errors.render = { [unowned self] status, message, error, request in
            renderErrorPage(status: status, message: message, error: error, request: request)
        }
    }

    /// Appends global middleware; it runs for every request, matched or not, in the order added.
    public func use(_ middleware: any Middleware) {
        self.middleware.append(middleware)
        chain = nil
    }

    /// Serves the files of `directory` under `prefix` (`/static/`).
    public func serveStatic(prefix: String = "/static", directory: String) throws(RouterError) {
        // Only the file's own content hash earns the year-long immutable Cache-Control.
        let hasher = directory == settings.publicDirectory
            ? staticAssets : StaticAssetHasher(root: URL(fileURLWithPath: directory), prefix: prefix + "/")
        let files = StaticFiles(directory: directory, contentVersion: hasher.version(for:))
        try router.get(prefix + "/*path", name: "static") { request in
            guard let response = files.response(for: request, relativePath: request.parameters["path"] ?? "") else {
                throw HTTPError(.notFound, message: "No such file.")
            }
            return response
        }
    }

    /// Registers something to close when the application shuts down (a cache, a second database).
    public func closeOnShutdown(_ close: @escaping @Sendable () -> Void) {
        closers.withLock { $0.append(close) }
    }

    /// Closes what ``closeOnShutdown(_:)`` registered, newest first, once; `serve()` calls it after the
    /// server stops (the main `database` is closed by its owner).
    public func closeResources() {
        for close in closers.withLock({ closers in defer { closers = [] }; return closers }).reversed() { close() }
    }

    /// Requests answered since start (for the staff dashboard).
    public var requestsServed: Int { served.load(ordering: .relaxed) }

    /// Answers one request through middleware and router; never throws.
    public func respond(to request: Request) async -> Response {
        served.add(1, ordering: .relaxed)
        let handler = chain ?? buildChain()
        var request = request
        request.storage[ApplicationKey.self] = self
        // Only a request with a body can carry a form: no allocation for the rest.
        if !request.body.isEmpty { request.storage[FormCacheKey.self] = FormCache(limits: settings.formLimits) }
        // Matched once, before the middleware: checks that only make sense for a page that exists (CSRF)
        // let a 404 or 405 through first, as Django checks CSRF for a resolved view only.
        request.storage[RouteMatchKey.self] = router.match(request.method, path: request.path)
        do {
            return try await handler(request)
        } catch {
            return errors.response(for: error, request: request)
        }
    }

    private func buildChain() -> Handler {
        let router = self.router
        let errors = self.errors
        let dispatch: Handler = { request in
            do {
                switch request.storage[RouteMatchKey.self] ?? router.match(request.method, path: request.path) {
                case .found(let route, let parameters):
                    var request = request
                    request.parameters = parameters
                    return try await route.handler(request)
                case .methodNotAllowed(let allowed):
                    let allow = allowed.map(\.rawValue).joined(separator: ", ")
                    if request.method == .options { return Response(status: .noContent, headers: ["Allow": allow]) }
                    throw HTTPError(.methodNotAllowed, message: "This page does not accept \(request.method).",
                                    headers: ["Allow": allow])
                case .notFound:
                    throw HTTPError(.notFound, message: "There is no page at this address.")
                }
            } catch {
                return errors.response(for: error, request: request)
            }
        }
        let built = middleware.wrap(dispatch) { error, request in errors.response(for: error, request: request) }
        chain = built
        return built
    }

    /// Freezes the middleware chain (call before serving from several threads).
    public func prepare() {
        chain = buildChain()
    }

    /// A server for this application with the given configuration.
    public func makeServer(configuration: ServerConfiguration) -> Server {
        prepare()
        var serverLogger = Logger(label: "croft.http")
        serverLogger.logLevel = settings.logLevel
        return Server(configuration: configuration, logger: serverLogger) { [self] request in
            await respond(to: request)
        }
    }

    /// The server configuration implied by the settings.
    public var serverConfiguration: ServerConfiguration {
        var configuration = ServerConfiguration(host: settings.host, port: settings.port)
        configuration.reusePort = settings.reusePort
        configuration.limits.maxBodySize = settings.maxBodySize
        configuration.limits.maxFormBodySize = settings.formLimits.maxBytes
        configuration.maxConnections = settings.maxConnections
        configuration.maxConnectionsPerAddress = settings.maxConnectionsPerClient
        configuration.minimumBodyRate = settings.minimumRequestBodyRate
        configuration.maxBufferedBodyBytes = settings.maxBodyMemory
        return configuration
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: in-flight requests finish, then the
    /// database is closed (`PRAGMA optimize`, `wal_checkpoint(TRUNCATE)`).
    public func serve(configuration: ServerConfiguration? = nil) async throws {
        let server = makeServer(configuration: configuration ?? serverConfiguration)
        try await server.run()
        closeResources()
        if let database {
            database.close()
            logger.info("database closed (WAL checkpointed)")
        }
    }
}

/// Where `Application` leaves the route match of a request, made once before the middleware runs.
enum RouteMatchKey: RequestStorageKey {
    typealias Value = Router.Match
}

extension Request {
    /// Whether the router has a page for this method and path (true when no application matched it yet).
    public var matchesARoute: Bool {
        guard let match = storage[RouteMatchKey.self] else { return true }
        if case .found = match { return true }
        return false
    }
}
