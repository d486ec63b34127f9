import Foundation

/// Where template source text comes from: a directory, a dictionary, a database...
///
/// The environment caches parsed templates; ``version(of:)`` lets it notice edits in development.
public protocol TemplateLoader: Sendable {
    /// The source of the template called `name`.
    ///
    /// Throws a ``TemplateError`` of kind `.templateNotFound` (line 0) when there is none.
    func source(named name: String) throws -> TemplateSource

    /// The current version of `name` when the loader watches for changes, nil when it does not.
    ///
    /// The environment re-parses a cached template whose version differs from this one.
    func version(of name: String) -> TemplateVersion?

    /// Every template name the loader can serve, for ``TemplateEnvironment/precompileAll()``.
    func allTemplateNames() throws -> [String]
}

/// The text of a template and the version it was read at.
public struct TemplateSource: Sendable {
    /// The template's text.
    public var text: String
    /// The version read, or nil when the loader does not track versions.
    public var version: TemplateVersion?

    /// Creates a source.
    public init(text: String, version: TemplateVersion? = nil) {
        self.text = text
        self.version = version
    }
}

/// Identifies one state of a template file: modification time and size.
public struct TemplateVersion: Sendable, Hashable {
    /// The file's modification time.
    public var modified: Date
    /// The file's size in bytes.
    public var size: Int

    /// Creates a version.
    public init(modified: Date, size: Int) {
        self.modified = modified
        self.size = size
    }
}

extension TemplateError {
    /// The error a loader throws for a template it does not have.
    public static func templateNotFound(_ name: String, detail: String = "") -> TemplateError {
        TemplateError(kind: .templateNotFound, template: name, line: 0, column: 0,
                      message: "template '\(name)' not found" + (detail.isEmpty ? "" : " (\(detail))"))
    }
}
