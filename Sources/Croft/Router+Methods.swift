/// Something routes can be added to: the router itself, or a group with a prefix and middleware.
public protocol RouteRegistrar {
    /// Adds a route; see `RouterBuilder.add`.
    func add(_ method: HTTPMethod, _ pattern: String, name: String?, middleware: [any Middleware],
             handler: @escaping Handler) throws(RouterError)
}

extension RouteRegistrar {
    /// Adds a GET route (HEAD is answered by it too).
    public func get(_ pattern: String, name: String? = nil, _ handler: @escaping Handler) throws(RouterError) {
        try add(.get, pattern, name: name, middleware: [], handler: handler)
    }

    /// Adds a POST route.
    public func post(_ pattern: String, name: String? = nil, _ handler: @escaping Handler) throws(RouterError) {
        try add(.post, pattern, name: name, middleware: [], handler: handler)
    }

    /// Adds a PUT route.
    public func put(_ pattern: String, name: String? = nil, _ handler: @escaping Handler) throws(RouterError) {
        try add(.put, pattern, name: name, middleware: [], handler: handler)
    }

    /// Adds a PATCH route.
    public func patch(_ pattern: String, name: String? = nil, _ handler: @escaping Handler) throws(RouterError) {
        try add(.patch, pattern, name: name, middleware: [], handler: handler)
    }

    /// Adds a DELETE route.
    public func delete(_ pattern: String, name: String? = nil, _ handler: @escaping Handler) throws(RouterError) {
        try add(.delete, pattern, name: name, middleware: [], handler: handler)
    }

    /// Adds routes under a path prefix, each wrapped in `middleware`.
    ///
    /// ```swift
    /// try router.group("/staff", middleware: [StaffOnly()]) { staff in
    ///     try staff.get("/", name: "staff.home") { _ in ... }
    /// }
    /// ```
    public func group(
        _ prefix: String, middleware: [any Middleware] = [], _ body: (RouteGroup) throws -> Void
    ) rethrows {
        try body(RouteGroup(parent: self, prefix: prefix, middleware: middleware))
    }
}

/// Routes sharing a path prefix and middleware; groups nest.
public struct RouteGroup: RouteRegistrar {
    let parent: any RouteRegistrar
    let prefix: String
    let middleware: [any Middleware]

    public func add(
        _ method: HTTPMethod, _ pattern: String, name: String?, middleware extra: [any Middleware],
        handler: @escaping Handler
    ) throws(RouterError) {
        let joined = "/" + (prefix.split(separator: "/") + pattern.split(separator: "/")).joined(separator: "/")
        try parent.add(method, joined, name: name, middleware: middleware + extra, handler: handler)
    }
}
