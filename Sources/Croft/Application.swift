import Foundation
import Synchronization

/// Configures an application before it serves: routes, middleware, static files, error pages, resources to
/// close. ``build()`` returns the frozen ``Application``. Not `Sendable` by design: it is filled on one
/// thread at start-up; the application it built has no way to add a route or middleware, and the builder
/// traps on changes after `build()`.
///
/// ```swift
/// let builder = ApplicationBuilder(settings: Settings())
/// try builder.router.get("/") { _ in .html("<h1>Hello</h1>") }
/// let app = builder.build()
/// try await app.serve()
/// ```
public final class ApplicationBuilder {
    /// The configuration read at start-up.
    public let settings: Settings
    /// The application logger.
    public let logger: Logger
    /// The main database (`DATABASE_PATH`), when the application has one.
    public let database: DatabasePool?
    /// The routes, frozen by ``build()``.
    public let router = RouterBuilder()
    /// The content hashes `{% static %}` puts in asset URLs (`?v=`), for `PUBLIC_DIR`.
    public let staticAssets: StaticAssetHasher
    /// Replaces the error pages (`Templates/errors/<code>.html`, else `errors/error.html`, else a built-in
    /// page) when set.
    public var renderErrorPage: (@Sendable (_ status: HTTPStatus, _ message: String, _ error: (any Error)?,
                                            _ request: Request) -> Response)?
    /// Variables every template sees, besides `debug`.
    public var templateGlobals: [String: TemplateValue] = [:]
    private var middleware: [any Middleware]
    private var closers: [@Sendable () -> Void] = []
    private var built = false

    /// A builder with the default middleware (security headers, allowed hosts).
    public init(settings: Settings, logger: Logger = Logger(label: "croft"), database: DatabasePool? = nil) {
        self.settings = settings
        self.database = database
        var logger = logger
        logger.logLevel = settings.logLevel
        self.logger = logger
        staticAssets = StaticAssetHasher(root: URL(fileURLWithPath: settings.publicDirectory), prefix: "/static/")
        middleware = [
            SecurityHeadersMiddleware(trustedProxies: settings.trustedProxies, logger: logger),
            AllowedHostsMiddleware(hosts: settings.allowedHosts),
        ]
    }

    /// Appends global middleware; it runs for every request, matched or not, in the order added.
    public func use(_ middleware: any Middleware) {
        precondition(!built, "middleware added after build(): the built application would never run it")
        self.middleware.append(middleware)
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
        precondition(!built, "closeOnShutdown after build(): use Application.closeOnShutdown on the built application")
        closers.append(close)
    }

    /// Freezes routes, middleware and error pages into an application that serves them. Call it once: the
    /// builder refuses (traps on) changes afterwards, since they would never reach what serves.
    public func build() -> Application {
        precondition(!built, "build() called twice on one ApplicationBuilder")
        built = true
        let paths = router.paths
        let templates = Application.makeTemplates(settings: settings, paths: paths, hasher: staticAssets,
                                                  globals: templateGlobals)
        let debug = settings.debug
        let render = renderErrorPage ?? { status, message, error, request in
            Application.errorPage(templates: templates, debug: debug, status: status, message: message,
                                  error: error, request: request)
        }
        let errors = ErrorResponder(logger: logger, debug: debug, render: render)
        let funnel: @Sendable (any Error, Request) -> Response = { error, request in
            errors.response(for: error, request: request)
        }
        return Application(settings: settings, logger: logger, database: database, router: router.build(funnel: funnel),
                           errors: errors, templates: templates, staticAssets: staticAssets, middleware: middleware,
                           closers: closers)
    }
}

/// The framework's centre: settings, the frozen router, the composed middleware chain and the error funnel,
/// served by a `Server`. Immutable once built (``ApplicationBuilder/build()``), so it is truly `Sendable`.
public final class Application: Sendable {
    /// The configuration read at start-up.
    public let settings: Settings
    /// The route table.
    public let router: Router
    /// The application logger.
    public let logger: Logger
    /// Turns thrown errors into responses; pages come from `Templates/errors/` when present.
    public let errors: ErrorResponder
    /// The template environment (`Templates/`), with `{% url %}` and `{% static %}` wired to this app.
    public let templates: TemplateEnvironment
    /// The content hashes `{% static %}` puts in asset URLs (`?v=`), for `PUBLIC_DIR`.
    public let staticAssets: StaticAssetHasher
    /// The main database (`DATABASE_PATH`), when the application has one.
    public let database: DatabasePool?
    /// Email, with the `EMAIL_*` settings and the site's templates (`Templates/email/`).
    public let mailer: Mailer
    /// When the application was created (for uptime).
    public let startedAt = Date()
    private let served = Atomic<Int>(0)
    private let closers: Mutex<[@Sendable () -> Void]>
    private let chain: Handler

    init(settings: Settings, logger: Logger, database: DatabasePool?, router: Router, errors: ErrorResponder,
         templates: TemplateEnvironment, staticAssets: StaticAssetHasher, middleware: [any Middleware],
         closers: [@Sendable () -> Void]) {
        self.settings = settings
        self.logger = logger
        self.database = database
        self.router = router
        self.errors = errors
        self.templates = templates
        self.staticAssets = staticAssets
        self.mailer = Mailer(settings: settings.mail, templates: templates, logger: logger)
        self.closers = Mutex(closers)
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
        chain = middleware.wrap(dispatch) { error, request in errors.response(for: error, request: request) }
    }

    /// Registers something to close when the application shuts down, after it was built (a resource opened
    /// lazily); prefer ``ApplicationBuilder/closeOnShutdown(_:)``.
    public func closeOnShutdown(_ close: @escaping @Sendable () -> Void) {
        closers.withLock { $0.append(close) }
    }

    /// Closes what ``ApplicationBuilder/closeOnShutdown(_:)`` registered, newest first, once; `serve()` calls
    /// it after the server stops (the main `database` is closed by its owner).
    public func closeResources() {
        for close in closers.withLock({ closers in defer { closers = [] }; return closers }).reversed() { close() }
    }

    /// Requests answered since start (for the staff dashboard).
    public var requestsServed: Int { served.load(ordering: .relaxed) }

    /// Answers one request through middleware and router; never throws.
    public func respond(to request: Request) async -> Response {
        served.add(1, ordering: .relaxed)
        var request = request
        request.storage[ApplicationKey.self] = self
        // Only a request with a body can carry a form: no allocation for the rest.
        if !request.body.isEmpty { request.storage[FormCacheKey.self] = FormCache(limits: settings.formLimits) }
        // Matched once, before the middleware: checks that only make sense for a page that exists (CSRF)
        // let a 404 or 405 through first, as Django checks CSRF for a resolved view only.
        request.storage[RouteMatchKey.self] = router.match(request.method, path: request.path)
        do {
            return try await chain(request)
        } catch {
            return errors.response(for: error, request: request)
        }
    }

    /// A server for this application with the given configuration.
    public func makeServer(configuration: ServerConfiguration) -> Server {
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
        configuration.poller = settings.poller
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
