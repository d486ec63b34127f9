/// An error in a template: where it is and what is wrong.
///
/// `line` and `column` are 1-based and point at the start of the offending tag; they are 0 when
/// the error concerns a whole template (a template that is missing). `source` holds the text of
/// `template` when it is known, so a debug page can show ``excerpt(radius:)``.
///
/// ```swift
/// do { _ = try env.render("notes/list.html") }
/// catch let error as TemplateError { print(error); print(error.excerpt()) }
/// ```
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for code that reacts to a category rather than the message.
    public enum Kind: String, Sendable, Equatable {
        /// Malformed tag or expression.
        case syntax
        /// A `{% tag %}` nobody registered.
        case unknownTag
        /// A `|filter` nobody registered.
        case unknownFilter
        /// A block tag without its end tag.
        case unclosedTag
        /// A template the loader cannot find.
        case templateNotFound
        /// An `extends` or `include` chain that comes back to a template already in it.
        case cycle
        /// A failure while rendering: a filter, tag or hook threw.
        case render
    }

    /// The category of the error.
    public var kind: Kind
    /// The name of the template the error is in.
    public var template: String
    /// The 1-based line of the offending tag, or 0 for the whole template.
    public var line: Int
    /// The 1-based column of the offending tag, or 0 for the whole template.
    public var column: Int
    /// A sentence saying what is wrong, quoting the offending text.
    public var message: String
    /// The template's source text, when known; used by ``excerpt(radius:)``.
    public var source: String?

    /// Creates an error; `source` may be filled in later by whoever knows the text.
    public init(
        kind: Kind, template: String, line: Int, column: Int, message: String, source: String? = nil
    ) {
        self.kind = kind
        self.template = template
        self.line = line
        self.column = column
        self.message = message
        self.source = source
    }

    init(_ kind: Kind, _ template: String, _ location: SourceLocation, _ message: String) {
        self.init(kind: kind, template: template, line: location.line, column: location.column, message: message)
    }

    /// `template:line:column: message`, the way compilers print errors.
    public var description: String {
        line > 0 ? "\(template):\(line):\(column): \(message)" : "\(template): \(message)"
    }

    /// The source lines around the error, numbered, with a caret under the error column.
    ///
    /// Returns an empty string when the source is unknown.
    public func excerpt(radius: Int = 3) -> String {
        guard let source else { return "" }
        return TemplateError.excerpt(of: source, line: line, column: column, radius: radius)
    }

    /// The lines of `source` around `line`, numbered, with a caret under `column`.
    ///
    /// ```
    ///   2 | <ul>
    /// > 3 | {% for note in %}
    ///     | ^
    /// ```
    public static func excerpt(of source: String, line: Int, column: Int, radius: Int = 3) -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return "" }
        let first = max(1, line - radius)
        let last = min(lines.count, line + radius)
        let width = String(last).count
        var output = ""
        for number in first...last {
            let label = String(number)
            let padded = String(repeating: " ", count: width - label.count) + label
            output += (number == line ? "> " : "  ") + padded + " | " + lines[number - 1] + "\n"
            if number == line, column >= 1 {
                output += "  " + String(repeating: " ", count: width) + " | "
                    + String(repeating: " ", count: column - 1) + "^\n"
            }
        }
        return output
    }
}
