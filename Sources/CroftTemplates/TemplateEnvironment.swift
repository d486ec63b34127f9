import Foundation
import Synchronization

/// Loads, caches and renders templates; holds the filters, custom tags and framework hooks.
///
/// Create one per application and share it: it is thread-safe. In a Croft application it is made for you
/// (`Application.templates`, with `{% url %}`, `{% static %}` and `{% field %}` wired). Parsed templates are cached
/// behind a mutex; with a reloading loader an edited file is re-parsed on its next use.
///
/// ```swift
/// let env = TemplateEnvironment(
///     loader: DirectoryLoader(root: templatesURL, reloadOnChange: settings.debug),
///     urlResolver: { name, arguments in try router.url(for: name, positional: arguments.map(\.text)) },
///     staticURL: StaticAssetHasher(root: publicURL, prefix: "/static/").url(for:))
/// env.registerFilter("shout") { value, _ in .string(value.text.uppercased()) }
/// let html = try env.render("notes/list.html", context: ["notes": try TemplateValue(encoding: notes)])
/// ```
public final class TemplateEnvironment: Sendable {
    private struct CachedTemplate: Sendable {
        var template: Template
        var version: TemplateVersion?
    }

    /// Where template sources come from.
    public let loader: any TemplateLoader
    /// Whether output is HTML-escaped unless marked safe (on by default).
    public let autoescape: Bool
    /// Variables visible to every template (site name, settings...), below the render context.
    public let globals: [String: TemplateValue]
    /// Reverses route names for `{% url %}`; nil makes `{% url %}` a render error.
    public let urlResolver: URLResolver?
    /// Builds asset URLs for `{% static %}`.
    public let staticURL: StaticURLBuilder
    /// The time zone the `date` filter shows times in.
    public let timeZone: TimeZone
    /// Made on first use: creating a `Calendar` loads ICU's data, a few megabytes a site that never formats
    /// a date should not carry.
    private let lazyCalendar = Mutex<Calendar?>(nil)

    /// The calendar (Gregorian, in the configured time zone) the `date` filter formats with.
    public var calendar: Calendar {
        lazyCalendar.withLock { cached in
            if let cached { return cached }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            cached = calendar
            return calendar
        }
    }

    private let library = Mutex(TagLibrary())
    private let cache = Mutex<[String: CachedTemplate]>([:])

    /// Creates an environment.
    ///
    /// - Parameters:
    ///   - loader: where templates come from.
    ///   - autoescape: HTML-escape output by default.
    ///   - timeZone: the zone the `date` filter shows times in.
    ///   - globals: variables every template sees.
    ///   - urlResolver: reverses `{% url "name" args %}`.
    ///   - staticURL: maps `{% static "path" %}` to a URL; by default `/static/` + path.
    public init(
        loader: any TemplateLoader,
        autoescape: Bool = true,
        timeZone: TimeZone = TimeZone(identifier: "UTC")!,
        globals: [String: TemplateValue] = [:],
        urlResolver: URLResolver? = nil,
        staticURL: @escaping StaticURLBuilder = { "/static/" + $0 }
    ) {
        self.loader = loader
        self.autoescape = autoescape
        self.globals = globals
        self.urlResolver = urlResolver
        self.staticURL = staticURL
        self.timeZone = timeZone
    }

    /// Adds (or replaces) a filter usable as `{{ value|name }}` or `{{ value|name:arg }}`.
    ///
    /// Clears the template cache, since parsed templates hold their filters.
    public func registerFilter(_ name: String, _ filter: @escaping TemplateFilterFunction) {
        library.withLock { library in
            library.filters[name] = TemplateFilter(.optional) { value, argument, _ in
                try filter(value, argument.map { [$0] } ?? [])
            }
        }
        clearCache()
    }

    /// Adds a simple tag `{% name arg1 arg2 %}` whose result is printed (escaped unless safe).
    ///
    /// ```swift
    /// env.registerSimpleTag("year") { _, _ in .int(2026) }
    /// ```
    public func registerSimpleTag(_ name: String, _ tag: @escaping SimpleTagFunction) {
        library.withLock { $0.simpleTags[name] = tag }
        clearCache()
    }

    /// This environment with the simple tag `name` registered (for building one in an expression).
    public func registering(_ name: String, _ tag: @escaping SimpleTagFunction) -> TemplateEnvironment {
        registerSimpleTag(name, tag)
        return self
    }

    /// Adds a block tag `{% name args %}...{% endname %}` that transforms its rendered body.
    ///
    /// ```swift
    /// env.registerBlockTag("card") { body, _, _ in "<div class=\"card\">\(body)</div>" }
    /// ```
    public func registerBlockTag(_ name: String, _ tag: @escaping BlockTagFunction) {
        library.withLock { $0.blockTags[name] = tag }
        clearCache()
    }

    /// The parsed template called `name`, from the cache or freshly loaded and parsed.
    public func template(named name: String) throws -> Template {
        let cached = cache.withLock { $0[name] }
        if let cached {
            guard let version = cached.version else { return cached.template }
            if loader.version(of: name) == version { return cached.template }
        }
        let source = try loader.source(named: name)
        let template = try Template(name: name, source: source.text, library: library.withLock { $0 })
        cache.withLock { $0[name] = CachedTemplate(template: template, version: source.version) }
        return template
    }

    /// Renders the template called `name` with `context`.
    public func render(_ name: String, context: [String: TemplateValue] = [:]) throws -> String {
        try withErrorSource {
            let template = try template(named: name)
            var renderer = Renderer(environment: self, context: context, templateName: name)
            return try renderer.render(template)
        }
    }

    /// Renders the template called `name` with HTML escaping on or off, whatever the environment's
    /// default: off for the text of an email (as Django's email templates say `{% autoescape off %}`).
    public func render(_ name: String, context: [String: TemplateValue], autoescape: Bool) throws -> String {
        try withErrorSource {
            let template = try template(named: name)
            var renderer = Renderer(environment: self, context: context, templateName: name, autoescape: autoescape)
            return try renderer.render(template)
        }
    }

    /// Renders an already loaded template (see ``template(named:)``) with `context`.
    public func render(_ template: Template, context: [String: TemplateValue] = [:]) throws -> String {
        try withErrorSource {
            var renderer = Renderer(environment: self, context: context, templateName: template.name)
            return try renderer.render(template)
        }
    }

    /// Renders the template called `name` with any `Encodable` context (a struct of view data,
    /// a `[String: String]`...); literal dictionaries pick the `[String: TemplateValue]` overload.
    public func render(_ name: String, context: some Encodable) throws -> String {
        try render(name, encoding: context)
    }

    /// Renders the template called `name` with the properties of an `Encodable` value as context.
    ///
    /// ```swift
    /// struct ListPage: Encodable { var notes: [Note]; var user: User }
    /// let html = try env.render("notes/list.html", encoding: ListPage(notes: notes, user: user))
    /// ```
    public func render(_ name: String, encoding context: some Encodable) throws -> String {
        guard case .dictionary(let entries) = try TemplateValue(encoding: context) else {
            throw TemplateError(kind: .render, template: name, line: 0, column: 0,
                                message: "the context must encode to a keyed container (a struct or dictionary)")
        }
        return try render(name, context: entries)
    }

    /// Parses and renders template text directly, without the loader or the cache.
    public func render(source: String, name: String = "<string>", context: [String: TemplateValue] = [:]) throws -> String {
        try withErrorSource {
            let template = try Template(name: name, source: source, library: library.withLock { $0 })
            var renderer = Renderer(environment: self, context: context, templateName: name)
            do {
                return try renderer.render(template)
            } catch var error as TemplateError where error.template == name && error.source == nil {
                error.source = source
                throw error
            }
        }
    }

    /// Parses every template the loader lists, so a broken template fails at start-up.
    ///
    /// Returns the number of templates parsed; throws the first error found.
    @discardableResult
    public func precompileAll() throws -> Int {
        let names = try loader.allTemplateNames()
        for name in names { _ = try template(named: name) }
        return names.count
    }

    /// Forgets every parsed template.
    public func clearCache() {
        cache.withLock { $0.removeAll() }
    }

    /// Fills in the source text of a render-time error from the cache, for excerpts.
    private func withErrorSource<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch var error as TemplateError where error.source == nil && error.line > 0 {
            error.source = cache.withLock { $0[error.template]?.template.source }
            throw error
        }
    }
}
