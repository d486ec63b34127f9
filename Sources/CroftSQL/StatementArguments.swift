/// The arguments of a statement when they are not known as typed values at the call site: a list built
/// at run time, or a literal that holds `nil`.
///
/// ```swift
/// try db.execute("UPDATE users SET display_name = ? WHERE id = ?", arguments: [nil, id])
/// try db.fetchAll("SELECT * FROM notes WHERE id IN (?, ?, ?)", arguments: StatementArguments(ids))
/// ```
///
/// Typed arguments (`db.fetchOne(sql, id) { ... }`) are the fast path: bound directly, nothing boxed.
public struct StatementArguments: Sendable, Equatable, ExpressibleByArrayLiteral {
    /// The values, bound to `?1`, `?2`, ... in order.
    public var values: [SQLValue]

    /// Arguments from SQL values.
    public init(_ values: [SQLValue] = []) {
        self.values = values
    }

    /// Arguments from convertible values (`nil` binds NULL).
    public init(_ values: [(any DatabaseValueConvertible)?]) {
        self.values = values.map { $0?.sqlValue ?? .null }
    }

    /// Arguments from any sequence of one convertible type (`StatementArguments(ids)`).
    public init<S: Sequence>(_ values: S) where S.Element: DatabaseValueConvertible {
        self.values = values.map(\.sqlValue)
    }

    /// `[id, "title", nil]`.
    public init(arrayLiteral elements: (any DatabaseValueConvertible)?...) {
        self.init(elements)
    }
}
