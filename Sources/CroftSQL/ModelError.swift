/// A model operation that could not find or identify its row.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No row with that id.
    case notFound(table: String, id: Int64)
    /// The model has no id yet (insert it first).
    case missingID(table: String)

    /// Names the table and id.
    public var description: String {
        switch self {
        case .notFound(let table, let id): "no row in \(table) with id \(id)"
        case .missingID(let table): "a \(table) row without an id cannot be updated or deleted; insert it first"
        }
    }
}
