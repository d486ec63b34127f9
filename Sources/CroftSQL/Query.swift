/// A small query builder over one ``Model``'s table: conditions, order, limit, offset.
///
/// Conditions are SQL fragments written by the developer with `?` placeholders; values are always
/// bound, and column names given to helpers are quoted, so user input never becomes SQL.
///
/// ```swift
/// let notes = try Note.query()
///     .where("owner_id = ?", userID)
///     .where("archived", equals: false)
///     .order("created_at DESC")
///     .limit(20)
///     .all(db)
/// ```
public struct Query<M: Model>: Sendable {
    private var conditions: [String] = []
    private var arguments = StatementArguments()
    private var orderings: [String] = []
    private var limitCount: Int?
    private var offsetCount: Int?

    /// An unfiltered query; usually reached through `M.query()`.
    public init() {}

    // MARK: Refining

    /// Adds a condition: a SQL fragment with `?` placeholders and the values to bind.
    public func `where`(_ sql: String, _ values: (any DatabaseValueConvertible)?...) -> Query {
        var copy = self
        copy.conditions.append("(\(sql))")
        copy.arguments.values += values.map { $0?.sqlValue ?? .null }
        return copy
    }

    /// Adds `column = value` (or `column IS NULL` for `nil`), with the column quoted.
    public func `where`(_ column: String, equals value: (any DatabaseValueConvertible)?) -> Query {
        let sqlValue = value?.sqlValue ?? .null
        var copy = self
        if sqlValue.isNull {
            copy.conditions.append("\(SQLIdentifier.quote(column)) IS NULL")
        } else {
            copy.conditions.append("\(SQLIdentifier.quote(column)) = ?")
            copy.arguments.values.append(sqlValue)
        }
        return copy
    }

    /// Adds `column IN (values...)`, with the column quoted; an empty list matches nothing.
    public func `where`(_ column: String, in values: [any DatabaseValueConvertible]) -> Query {
        guard !values.isEmpty else { return self.where("0") }
        var copy = self
        copy.conditions.append("\(SQLIdentifier.quote(column)) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))")
        copy.arguments.values += values.map(\.sqlValue)
        return copy
    }

    /// Adds an ORDER BY term written as SQL, e.g. `"created_at DESC"` (developer text, not user input).
    public func order(_ sql: String) -> Query {
        var copy = self
        copy.orderings.append(sql)
        return copy
    }

    /// Adds an ORDER BY on a quoted column, safe for a column name chosen by the user.
    public func order(by column: String, descending: Bool = false) -> Query {
        order(SQLIdentifier.quote(column) + (descending ? " DESC" : " ASC"))
    }

    /// Returns at most `count` rows.
    public func limit(_ count: Int) -> Query {
        var copy = self
        copy.limitCount = max(0, count)
        return copy
    }

    /// Skips the first `count` rows.
    public func offset(_ count: Int) -> Query {
        var copy = self
        copy.offsetCount = max(0, count)
        return copy
    }

    // MARK: Running

    /// All matching models.
    public func all(_ db: Connection) throws -> [M] {
        try db.fetchAll(selectSQL("*"), arguments: arguments) { try $0.decode(M.self) }
    }

    /// The first matching model, or `nil`.
    public func first(_ db: Connection) throws -> M? {
        try limit(1).all(db).first
    }

    /// The number of matching rows (ignoring limit and offset).
    public func count(_ db: Connection) throws -> Int {
        try db.fetchValue(Int.self, "SELECT count(*) FROM \(M.quotedTable)\(whereClause)", arguments: arguments) ?? 0
    }

    /// True when at least one row matches.
    public func exists(_ db: Connection) throws -> Bool {
        try db.fetchValue(Bool.self, "SELECT EXISTS (SELECT 1 FROM \(M.quotedTable)\(whereClause))", arguments: arguments) ?? false
    }

    /// Deletes every matching row; returns how many.
    @discardableResult
    public func deleteAll(_ db: Connection) throws -> Int {
        try db.execute("DELETE FROM \(M.quotedTable)\(whereClause)", arguments: arguments)
        return db.changes
    }

    /// Sets columns on every matching row (`nil` sets NULL); returns how many rows changed.
    ///
    /// `try Note.query().where("owner_id = ?", 1).updateAll(db, set: ["archived": true])`
    @discardableResult
    public func updateAll(_ db: Connection, set values: [String: (any DatabaseValueConvertible)?]) throws -> Int {
        guard !values.isEmpty else { return 0 }
        let columns = values.keys.sorted()  // stable SQL text, so the statement cache hits
        let assignments = columns.map { "\(SQLIdentifier.quote($0)) = ?" }.joined(separator: ", ")
        try db.execute("UPDATE \(M.quotedTable) SET \(assignments)\(whereClause)",
                       arguments: StatementArguments(columns.map { values[$0]!?.sqlValue ?? .null } + arguments.values))
        return db.changes
    }

    /// One page of results (1-based `number`) with the total count, for paginated lists.
    ///
    /// `number` usually comes from the query string, so any `Int` is accepted without trapping: a number
    /// below 1 is page 1, and a page past the end (``Page/isPastEnd``) has no items and runs no SELECT.
    /// Answer 404 for it: `guard !page.isPastEnd else { throw HTTPError(.notFound) }`.
    public func page(_ number: Int, perPage: Int, in db: Connection) throws -> Page<M> {
        let perPage = max(1, perPage)
        let number = max(1, number)
        let total = try count(db)
        // (number - 1) * perPage overflows for ?page=Int.max: an offset past the end needs no query.
        let (offset, overflow) = (number - 1).multipliedReportingOverflow(by: perPage)
        let items = overflow || offset >= total ? [] : try limit(perPage).offset(offset).all(db)
        return Page(items: items, number: number, perPage: perPage, totalCount: total)
    }

    // MARK: SQL

    private var whereClause: String {
        conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    /// The SELECT this query runs, for logging and tests (placeholders, never values).
    public var sql: String { selectSQL("*") }

    private func selectSQL(_ columns: String) -> String {
        var sql = "SELECT \(columns) FROM \(M.quotedTable)\(whereClause)"
        if !orderings.isEmpty { sql += " ORDER BY " + orderings.joined(separator: ", ") }
        if let limitCount { sql += " LIMIT \(limitCount)" }
        if let offsetCount { sql += (limitCount == nil ? " LIMIT -1" : "") + " OFFSET \(offsetCount)" }
        return sql
    }
}
