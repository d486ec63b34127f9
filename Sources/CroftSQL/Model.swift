import Foundation

/// A row type with an integer primary key `id`: ORM-lite persistence on top of `Codable`.
///
/// Properties are columns in snake_case (`ownerID` is `owner_id`, `createdAt` is `created_at`), so a
/// `CodingKeys` enum is only for a real rename; a model that names its columns exactly as its keys opts
/// out with `static let columnNaming = ColumnNaming.asWritten`. If the model has `createdAt` or `updatedAt`
/// (optional `Date`), `insert` fills a missing created time and `insert`/`update` set the updated time;
/// the stored row is read back with `RETURNING *`.
///
/// ```swift
/// struct Note: Model {
///     static let tableName = "notes"
///     var id: Int64?
///     var ownerID: Int64          // owner_id
///     var title: String
///     var createdAt: Date?        // created_at
/// }
/// let note = try await db.write { db in try Note(id: nil, ownerID: 1, title: "Hello").inserted(db) }
/// let recent = try await db.read { try Note.query().where("owner_id = ?", 1).order("created_at DESC").limit(20).all($0) }
/// ```
public protocol Model: Codable, Sendable {
    /// The table the model is stored in.
    static var tableName: String { get }
    /// How property names become column names: snake_case unless the model says otherwise.
    static var columnNaming: ColumnNaming { get }
    /// The `INTEGER PRIMARY KEY`; `nil` until inserted.
    var id: Int64? { get set }
}

extension Model {
    /// snake_case columns.
    public static var columnNaming: ColumnNaming { .snakeCase }

    /// The quoted table name, ready to splice into SQL.
    static var quotedTable: String { SQLIdentifier.quote(tableName) }

    /// Inserts the model and reloads it from the stored row, filling `id` and timestamps.
    public mutating func insert(_ db: Connection) throws {
        var columns = try RowEncoder(columnNaming: Self.columnNaming).encode(self)
        if id == nil { columns.removeAll { $0.column == "id" } }
        let now = Date().sqlValue
        for index in columns.indices {
            if ModelTimestamps.createdNames.contains(columns[index].column), columns[index].value.isNull {
                columns[index].value = now
            }
            if ModelTimestamps.updatedNames.contains(columns[index].column) { columns[index].value = now }
        }
        let sql: String
        if columns.isEmpty {
            sql = "INSERT INTO \(Self.quotedTable) DEFAULT VALUES RETURNING *"
        } else {
            let names = columns.map { SQLIdentifier.quote($0.column) }.joined(separator: ", ")
            let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            sql = "INSERT INTO \(Self.quotedTable) (\(names)) VALUES (\(marks)) RETURNING *"
        }
        guard let inserted = try db.fetchOne(sql, arguments: StatementArguments(columns.map(\.value)), map: { try $0.decode(Self.self) }) else {
            throw ModelError.notFound(table: Self.tableName, id: id ?? db.lastInsertedRowID)
        }
        self = inserted
    }

    /// Writes every column of the model to its row (by `id`) and reloads it.
    ///
    /// Throws ``ModelError/missingID(table:)`` before insert, ``ModelError/notFound(table:id:)`` when
    /// the row is gone.
    public mutating func update(_ db: Connection) throws {
        guard let id else { throw ModelError.missingID(table: Self.tableName) }
        var columns = try RowEncoder(columnNaming: Self.columnNaming).encode(self)
        columns.removeAll { $0.column == "id" || ModelTimestamps.createdNames.contains($0.column) }
        let now = Date().sqlValue
        for index in columns.indices where ModelTimestamps.updatedNames.contains(columns[index].column) {
            columns[index].value = now
        }
        guard !columns.isEmpty else { return }
        let assignments = columns.map { "\(SQLIdentifier.quote($0.column)) = ?" }.joined(separator: ", ")
        let sql = "UPDATE \(Self.quotedTable) SET \(assignments) WHERE \"id\" = ? RETURNING *"
        guard let updated = try db.fetchOne(sql, arguments: StatementArguments(columns.map(\.value) + [.integer(id)]), map: { try $0.decode(Self.self) }) else {
            throw ModelError.notFound(table: Self.tableName, id: id)
        }
        self = updated
    }

    /// Inserts when `id` is `nil`, updates otherwise.
    public mutating func save(_ db: Connection) throws {
        if id == nil { try insert(db) } else { try update(db) }
    }

    /// The model as stored by an insert: with its `id` and timestamps (GRDB's name; `self` is unchanged).
    public func inserted(_ db: Connection) throws -> Self {
        var copy = self
        try copy.insert(db)
        return copy
    }

    /// The model as stored by an update of its row (the updated time set; `self` is unchanged).
    public func updated(_ db: Connection) throws -> Self {
        var copy = self
        try copy.update(db)
        return copy
    }

    /// The model as stored: inserted when `id` is `nil`, else updated (`self` is unchanged).
    public func saved(_ db: Connection) throws -> Self {
        var copy = self
        try copy.save(db)
        return copy
    }

    /// Deletes the model's row; returns whether a row was deleted.
    @discardableResult
    public func delete(_ db: Connection) throws -> Bool {
        guard let id else { throw ModelError.missingID(table: Self.tableName) }
        try db.execute("DELETE FROM \(Self.quotedTable) WHERE \"id\" = ?", id)
        return db.changes > 0
    }

    /// The model with primary key `id`, or `nil`.
    public static func find(_ id: Int64, in db: Connection) throws -> Self? {
        try db.fetchOne("SELECT * FROM \(quotedTable) WHERE \"id\" = ?", id) { try $0.decode(Self.self) }
    }

    /// A query over the model's table, to refine with `where`, `order`, `limit`...
    public static func query() -> Query<Self> { Query() }

    /// Every row of the table, by `id`.
    public static func all(_ db: Connection) throws -> [Self] {
        try query().order(by: "id").all(db)
    }
}
