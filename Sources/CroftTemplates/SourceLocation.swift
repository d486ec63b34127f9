/// A 1-based line and column in a template's source text.
struct SourceLocation: Sendable, Equatable {
    /// The line, counting from 1.
    var line: Int
    /// The column in characters, counting from 1.
    var column: Int

    /// The location of a whole template rather than a point in it.
    static let none = SourceLocation(line: 0, column: 0)
}
