/// One piece of a template's source as the lexer cuts it: literal text, `{{ }}` or `{% %}`.
struct Token: Sendable {
    /// The three things a template is made of (comments are dropped by the lexer).
    enum Kind: Sendable {
        /// Literal text, copied to the output.
        case text
        /// The inside of `{{ ... }}`.
        case variable
        /// The inside of `{% ... %}`.
        case block
    }

    /// What kind of token this is.
    var kind: Kind
    /// The text between the delimiters, trimmed (or the literal text itself).
    var contents: String
    /// Where the token starts.
    var location: SourceLocation

    /// The tag name of a block token: its first word.
    var tagName: Substring {
        contents.prefix { !$0.isWhitespace }
    }

    /// The token as written, for messages: `{% for x in %}`.
    var display: String {
        switch kind {
        case .text: contents
        case .variable: "{{ \(contents) }}"
        case .block: "{% \(contents) %}"
        }
    }
}
