/// A row that does not have the shape the caller asked for.
public enum RowDecodingError: Error, Sendable, CustomStringConvertible {
    /// No column of that name; lists the columns that exist.
    case missingColumn(String, available: [String])
    /// The stored value cannot become the requested type (NULL into a non-optional, text into Int...).
    case typeMismatch(column: String, expected: String, found: SQLValue)

    /// Names the column and what was wrong.
    public var description: String {
        switch self {
        case .missingColumn(let name, let available):
            "no column \"\(name)\" in row (columns: \(available.joined(separator: ", ")))"
        case .typeMismatch(let column, let expected, let found):
            "column \"\(column)\" holds \(found.storageClass), not \(expected)"
        }
    }
}
