/// Collects routes at start-up; ``build(funnel:)`` freezes them into a ``Router``. Not `Sendable`: it is filled on
/// one thread, before serving. The built `Router` has no way to add a route, and adding one to the builder
/// after it built is a programming error that traps (it would never be served).
///
/// ```swift
/// let routes = RouterBuilder()
/// try routes.get("/notes/:id", name: "note.detail") { request in ... }
/// let router = routes.build()
/// router.url(for: "note.detail", ["id": 3])   // "/notes/3"
/// ```
public final class RouterBuilder: RouteRegistrar {
    /// One node of the trie while it is being filled; routes are positions in ``routes``, so each is
    /// composed with its middleware once, at ``build(funnel:)``.
    final class Node {
        var literals: [String: Node] = [:]
        var parameter: (name: String, node: Node)?
        var catchAll: (name: String, routes: [HTTPMethod: Int])?
        var routes: [HTTPMethod: Int] = [:]
    }

    private let root = Node()
    private var named: [String: [PathSegment]] = [:]
    private var built = false
    /// Every route in registration order (their handlers without the route's middleware until built:
    /// ``Router/routes`` has them composed).
    public private(set) var routes: [Route] = []

    /// An empty route table.
    public init() {}

    /// Registers a handler for `method` at `pattern`, wrapped in `middleware` (first runs outermost).
    public func add(
        _ method: HTTPMethod, _ pattern: String, name: String? = nil, middleware: [any Middleware] = [],
        handler: @escaping Handler
    ) throws(RouterError) {
        precondition(!built, "route \(method) \(pattern) added after build(): the built router would never serve it")
        let segments = try PathSegment.parse(pattern)
        let route = Route(method: method, pattern: "/" + pattern.split(separator: "/").joined(separator: "/"),
                          name: name, handler: handler, middleware: middleware)
        var node = root
        for segment in segments {
            switch segment {
            case .literal(let text):
                if let next = node.literals[text] { node = next } else {
                    let next = Node()
                    node.literals[text] = next
                    node = next
                }
            case .parameter(let parameterName):
                if let existing = node.parameter {
                    guard existing.name == parameterName else { throw .conflictingParameter(pattern, existing.name) }
                    node = existing.node
                } else {
                    let next = Node()
                    node.parameter = (parameterName, next)
                    node = next
                }
            case .catchAll(let parameterName):
                var entry = node.catchAll ?? (parameterName, [:])
                guard entry.routes[method] == nil else { throw .duplicateRoute(method, pattern) }
                entry.routes[method] = try register(name: name, segments: segments, route: route)
                node.catchAll = entry
                return
            }
        }
        guard node.routes[method] == nil else { throw .duplicateRoute(method, pattern) }
        node.routes[method] = try register(name: name, segments: segments, route: route)
    }

    /// Records the route (and its name); returns its position in ``routes``.
    private func register(name: String?, segments: [PathSegment], route: Route) throws(RouterError) -> Int {
        if let name {
            guard named[name] == nil else { throw .duplicateName(name) }
            named[name] = segments
        }
        routes.append(route)
        return routes.count - 1
    }

    /// Freezes the table: an immutable trie that any number of threads read while serving.
    ///
    /// `funnel`, when given, turns an error a route's middleware throws into a response before the layer
    /// outside it sees it, as the application's global middleware does (``Application`` passes its error
    /// funnel); without it, errors propagate to the caller.
    public func build(funnel: (@Sendable (any Error, Request) -> Response)? = nil) -> Router {
        built = true
        let composed = routes.map { $0.composed(funnel: funnel) }
        return Router(root: root.frozen(composed), paths: paths, routes: composed)
    }

    /// The named routes registered so far, for reversing names into paths.
    public var paths: RoutePaths { RoutePaths(named: named) }
}

extension RouterBuilder.Node {
    /// The frozen copy of this subtree, its route positions replaced by the composed routes.
    fileprivate func frozen(_ composed: [Route]) -> Router.Node {
        Router.Node(literals: literals.mapValues { $0.frozen(composed) },
                    parameter: parameter.map { ($0.name, $0.node.frozen(composed)) },
                    catchAll: catchAll.map { ($0.name, $0.routes.mapValues { composed[$0] }) },
                    routes: routes.mapValues { composed[$0] })
    }
}

/// The frozen route table: maps method and path to a handler with a segment trie. Static segments win over
/// `:params`, which win over a trailing `*` catch-all. HEAD falls back to GET; a path that exists under other
/// methods is a 405 with `Allow`; otherwise 404. Routes can be named and reversed with `url(for:_:)`.
///
/// Made by ``RouterBuilder/build(funnel:)``; immutable, so it is `Sendable` without a lock.
public final class Router: Sendable {
    /// One node of the frozen trie.
    final class Node: Sendable {
        let literals: [String: Node]
        let parameter: (name: String, node: Node)?
        let catchAll: (name: String, routes: [HTTPMethod: Route])?
        let routes: [HTTPMethod: Route]

        init(literals: [String: Node], parameter: (name: String, node: Node)?,
             catchAll: (name: String, routes: [HTTPMethod: Route])?, routes: [HTTPMethod: Route]) {
            self.literals = literals
            self.parameter = parameter
            self.catchAll = catchAll
            self.routes = routes
        }
    }

    private let root: Node
    /// Reverses route names into paths.
    public let paths: RoutePaths
    /// Every route in registration order (for `app routes`).
    public let routes: [Route]

    init(root: Node, paths: RoutePaths, routes: [Route]) {
        self.root = root
        self.paths = paths
        self.routes = routes
    }

    /// The outcome of a lookup.
    public enum Match: Sendable {
        /// A route matched; `parameters` holds the decoded path parameters.
        case found(Route, parameters: [String: String])
        /// The path exists, but not for this method.
        case methodNotAllowed(allowed: [HTTPMethod])
        /// No route has this path.
        case notFound
    }

    /// The path as routing reads it: empty segments dropped, each segment percent-decoded (`//a/%62/` is
    /// `/a/b`). Compare this, not the raw path, with a route's path, or `/accounts/login/` slips past a check
    /// keyed on `/accounts/login`.
    public static func normalizedPath(_ path: some StringProtocol) -> String {
        "/" + Substring(path).split(separator: "/", omittingEmptySubsequences: true).map { FormDecoding.percentDecode($0) }
            .joined(separator: "/")
    }

    /// Finds the route for `method` and a still percent-encoded `path`.
    public func match(_ method: HTTPMethod, path: some StringProtocol) -> Match {
        var parameters: [String: String] = [:]
        let segments = Substring(path).split(separator: "/", omittingEmptySubsequences: true)
        guard let (routes, catchAllName) = find(root, segments[...], &parameters) else { return .notFound }
        if let catchAllName, parameters[catchAllName] == nil { parameters[catchAllName] = "" }
        if let route = routes[method] { return .found(route, parameters: parameters) }
        if method == .head, let route = routes[.get] { return .found(route, parameters: parameters) }
        guard !routes.isEmpty else { return .notFound }
        var allowed = Set(routes.keys)
        if allowed.contains(.get) { allowed.insert(.head) }
        return .methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue })
    }

    private func find(
        _ node: Node, _ segments: ArraySlice<Substring>, _ parameters: inout [String: String]
    ) -> ([HTTPMethod: Route], String?)? {
        guard let first = segments.first else {
            if !node.routes.isEmpty { return (node.routes, nil) }
            if let catchAll = node.catchAll { return (catchAll.routes, catchAll.name) }
            return nil
        }
        let decoded = FormDecoding.percentDecode(first)
        let rest = segments.dropFirst()
        if let next = node.literals[decoded], let found = find(next, rest, &parameters) { return found }
        if let (name, next) = node.parameter {
            let previous = parameters[name]
            parameters[name] = decoded
            if let found = find(next, rest, &parameters) { return found }
            parameters[name] = previous
        }
        if let catchAll = node.catchAll {
            parameters[catchAll.name] = segments.joined(separator: "/")
            return (catchAll.routes, catchAll.name)
        }
        return nil
    }

    /// The path for a named route with its parameters filled in (percent-encoded).
    public func url(for name: String, _ parameters: [String: any CustomStringConvertible & Sendable] = [:]) throws(RouterError) -> String {
        try paths.url(for: name, parameters)
    }

    /// The path for a named route from positional values, in the order its parameters appear.
    public func url(for name: String, positional values: [String]) throws(RouterError) -> String {
        try paths.url(for: name, positional: values)
    }

    /// Whether a route with this name exists.
    public func hasRoute(named name: String) -> Bool { paths.hasRoute(named: name) }
}

/// The named routes' patterns, for reversing names into paths (`{% url %}`, redirects): a value, so the
/// template environment can hold it before the router it comes from is built.
public struct RoutePaths: Sendable {
    let named: [String: [PathSegment]]

    /// The path for a named route with its parameters filled in (percent-encoded).
    public func url(for name: String, _ parameters: [String: any CustomStringConvertible & Sendable] = [:]) throws(RouterError) -> String {
        guard let segments = named[name] else { throw .unknownRouteName(name) }
        var path = ""
        for segment in segments {
            switch segment {
            case .literal(let text):
                path += "/" + text
            case .parameter(let parameter):
                guard let value = parameters[parameter] else { throw .missingParameter(route: name, parameter: parameter) }
                path += "/" + FormDecoding.percentEncode(value.description)
            case .catchAll(let parameter):
                if let value = parameters[parameter] {
                    let parts = value.description.split(separator: "/").map { FormDecoding.percentEncode($0) }
                    path += "/" + parts.joined(separator: "/")
                }
            }
        }
        return path.isEmpty ? "/" : path
    }

    /// The path for a named route from positional values, in the order its parameters appear
    /// (what `{% url "note.detail" note.id %}` passes).
    public func url(for name: String, positional values: [String]) throws(RouterError) -> String {
        guard let segments = named[name] else { throw .unknownRouteName(name) }
        var parameters: [String: any CustomStringConvertible & Sendable] = [:]
        var index = 0
        for segment in segments {
            switch segment {
            case .parameter(let parameter), .catchAll(let parameter):
                if index < values.count { parameters[parameter] = values[index] }
                index += 1
            case .literal:
                break
            }
        }
        return try url(for: name, parameters)
    }

    /// Whether a route with this name exists.
    public func hasRoute(named name: String) -> Bool { named[name] != nil }
}
