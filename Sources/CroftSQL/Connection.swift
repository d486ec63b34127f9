import CSQLite
import Foundation

/// One SQLite connection with the production pragmas applied and a prepared-statement cache.
///
/// A connection is not thread-safe and not `Sendable`: in an app it lives inside a
/// ``DatabasePool`` and is handed to your `read`/`write` closures on the pool's own queue.
/// Open one directly for scripts and tests:
///
/// ```swift
/// let db = try Connection(path: "data/db.sqlite3")
/// try db.execute("INSERT INTO notes (title) VALUES (?)", "Hello")
/// let rows = try db.fetchAll("SELECT * FROM notes WHERE id > ?", 10)
/// ```
public final class Connection {
    /// What a connection is for, which decides the pragmas it gets.
    public enum Role: Sendable {
        /// Reads and writes; sets `journal_mode` (a property of the file).
        case writer
        /// Reads only: `PRAGMA query_only=ON`, so a write sent to a reader fails loudly.
        /// https://sqlite.org/pragma.html#pragma_query_only
        case reader
    }

    /// The database file path.
    public let path: String
    /// The configuration the connection was opened with.
    public let configuration: DatabaseConfiguration
    /// The role the connection was opened for.
    public let role: Role
    /// The `sqlite3*` handle, for the rare call CroftSQL does not wrap.
    public let handle: OpaquePointer
    private var statementCache: StatementCache
    /// The statement used last: most code runs the same literal SQL repeatedly, and comparing a
    /// string with itself is cheaper than hashing it for the cache lookup.
    private var lastStatement: Statement? {
        didSet { lastStatementReference = lastStatement.map(Unmanaged.passUnretained) }
    }
    /// `lastStatement` unretained (it holds the reference), so the hot path checks it without a
    /// reference-count round trip.
    private var lastStatementReference: Unmanaged<Statement>?
    private var isClosed = false

    /// Opens (creating if needed) the database at `path` and applies `configuration`.
    ///
    /// The parent directory is created when missing. Throws ``DatabaseOpenError`` naming the path
    /// and the reason when the file cannot be opened or written, or when `configuration` has
    /// ``DatabaseConfiguration/problems`` (checked before anything is created).
    public init(path: String, configuration: DatabaseConfiguration = DatabaseConfiguration(), role: Role = .writer) throws {
        let problems = configuration.problems
        guard problems.isEmpty else {
            throw DatabaseOpenError(path: path, reason: "invalid configuration: \(problems.joined(separator: "; "))")
        }
        self.path = path
        self.configuration = configuration
        self.role = role
        self.statementCache = StatementCache(capacity: configuration.statementCacheCapacity)
        try Connection.prepareLocation(path)
        var handle: OpaquePointer?
        // NOMUTEX: each connection is used by one queue at a time, so SQLite's own mutex is waste.
        // https://sqlite.org/c3ref/open.html and https://sqlite.org/threadsafe.html
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError(handle: handle, resultCode: code, sql: nil)
            sqlite3_close_v2(handle)
            throw DatabaseOpenError(path: path, reason: error.message, underlying: error)
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        // A double-quoted name that matches no column silently becomes a string literal unless this
        // is off; with it off, a quoted identifier is always an identifier, so typos and tampered
        // names fail loudly. https://sqlite.org/quirks.html#dblquote
        _ = croft_sqlite3_db_config_flag(handle, croft_sqlite3_dbconfig_dqs_dml(), 0)
        do {
            try applyConfiguration()
        } catch let error as SQLiteError {
            close()
            throw DatabaseOpenError(path: path, reason: error.message, underlying: error)
        } catch {
            close()
            throw error
        }
    }

    deinit {
        if !isClosed {
            lastStatement = nil
            statementCache.removeAll()
            sqlite3_close_v2(handle)
        }
    }

    /// Creates the parent directory and refuses paths that are directories, with a clear reason.
    private static func prepareLocation(_ path: String) throws {
        guard path != ":memory:", !path.hasPrefix("file:"), !path.isEmpty else { return }
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DatabaseOpenError(path: path, reason: "the path is a directory, not a database file")
        }
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty else { return }
        if fileManager.fileExists(atPath: parent, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw DatabaseOpenError(path: path, reason: "the parent \(parent) is not a directory")
            }
            return
        }
        do {
            try fileManager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw DatabaseOpenError(path: path, reason: "cannot create directory \(parent): \(error.localizedDescription)")
        }
    }

    /// Applies the pragma set; a writer also switches the file to WAL and proves it can write.
    private func applyConfiguration() throws {
        for pragma in configuration.connectionPragmas {
            try executeScript(pragma)
        }
        switch role {
        case .writer:
            if sqlite3_db_readonly(handle, "main") == 1 {
                throw SQLiteError(code: SQLITE_READONLY, message: "the file is read-only")
            }
            let mode = try setJournalMode()
            if case .text(let text) = mode, text.uppercased() != configuration.journalMode.rawValue, path != ":memory:" {
                throw SQLiteError(code: SQLITE_ERROR, message: "journal_mode is \(text), wanted \(configuration.journalMode.rawValue)")
            }
        case .reader:
            try executeScript("PRAGMA query_only = ON")
        }
    }

    /// Sets the configured journal mode and returns the mode in effect (the pragma's result row).
    /// https://sqlite.org/pragma.html#pragma_journal_mode
    ///
    /// Switching a new file to WAL needs an exclusive lock, and when two processes open the same new
    /// file at once (two containers starting, each running `app migrate`) SQLite answers `SQLITE_BUSY`
    /// at once instead of waiting in the busy handler. So this retries until the busy timeout is spent.
    private func setJournalMode() throws -> SQLValue? {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, configuration.busyTimeoutMilliseconds)) * 1_000_000
        while true {
            do {
                return try fetchOne("PRAGMA journal_mode = \(configuration.journalMode.rawValue)")?[0]
            } catch let error as SQLiteError where error.code == SQLITE_BUSY && DispatchTime.now().uptimeNanoseconds < deadline {
                usleep(5_000)
            }
        }
    }

    /// Finalizes cached statements and closes the handle; later use is a programming error.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        lastStatement = nil
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    // MARK: Statements

    /// The cached prepared statement for `sql`, preparing and caching it on first use.
    ///
    /// When the cached one is busy (a nested query with the same text), a fresh one is returned.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let last = lastStatementReference, last._withUnsafeGuaranteedRef({ !$0.isInUse && $0.sql == sql }) {
            return last.takeUnretainedValue()
        }
        return try lookUpStatement(sql)
    }

    /// ``cachedStatement(_:)`` when `sql` is not the statement used last (out of line, so the
    /// check above stays small).
    @inline(never)
    private func lookUpStatement(_ sql: String) throws -> Statement {
        if let statement = statementCache.statement(for: sql), !statement.isInUse {
            lastStatement = statement
            return statement
        }
        let statement = try Statement(databaseHandle: handle, sql: sql, persistent: true)
        if statementCache.statement(for: sql) == nil {
            statementCache.insert(statement)
            lastStatement = statement
        }
        return statement
    }

    /// Prepares `sql` without caching it (for one-off statements such as DDL).
    public func makeStatement(_ sql: String) throws -> Statement {
        try Statement(databaseHandle: handle, sql: sql, persistent: false)
    }

    // MARK: Running SQL
    //
    // Each entry point comes two ways: typed arguments as a parameter pack (none, one or many: bound
    // directly, nothing boxed, no argument array) and ``StatementArguments`` (a list built at run time, or
    // a literal with `nil` in it). The in-place readers (`fetchOne`/`fetchAll` with `map:`), the hot path,
    // also have a one-typed-argument form: the optimizer does not yet specialise a loop over a pack, which
    // costs a witness-table hop per argument. Each is one line over the inlinable drivers under
    // "Binding and stepping", so the caller gets a copy specialised for its argument and result types.

    /// Runs one statement with `arguments` bound to its `?` parameters.
    @inlinable
    public func execute<each Argument: DatabaseValueConvertible>(_ sql: String, _ arguments: repeat each Argument) throws {
        try withStatement(sql, argumentCount: Self.count(repeat each arguments), bind: { try Self.bind($0, repeat each arguments) }, Self.drain)
    }

    /// Runs one statement with `arguments` bound to its `?` parameters.
    public func execute(_ sql: String, arguments: StatementArguments) throws {
        try withStatement(sql, arguments, Self.drain)
    }

    /// Runs a script of several statements, with no arguments (schema, pragmas, migrations).
    /// https://sqlite.org/c3ref/exec.html
    public func executeScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            var error = SQLiteError(handle: handle, resultCode: code, sql: sql)
            if let message {
                error = SQLiteError(code: error.code, extendedCode: error.extendedCode, message: String(cString: message), sql: sql)
                sqlite3_free(message)
            }
            throw error
        }
    }

    // MARK: Reading rows as values

    /// Every row of a query.
    @inlinable
    public func fetchAll<each Argument: DatabaseValueConvertible>(_ sql: String, _ arguments: repeat each Argument) throws -> [Row] {
        try withStatement(sql, argumentCount: Self.count(repeat each arguments), bind: { try Self.bind($0, repeat each arguments) }, Self.allRows)
    }

    /// Every row of a query.
    public func fetchAll(_ sql: String, arguments: StatementArguments) throws -> [Row] {
        try withStatement(sql, arguments, Self.allRows)
    }

    /// The first row of a query, or `nil`.
    @inlinable
    public func fetchOne<each Argument: DatabaseValueConvertible>(_ sql: String, _ arguments: repeat each Argument) throws -> Row? {
        try withStatement(sql, argumentCount: Self.count(repeat each arguments), bind: { try Self.bind($0, repeat each arguments) }, Self.firstRow)
    }

    /// The first row of a query, or `nil`.
    public func fetchOne(_ sql: String, arguments: StatementArguments) throws -> Row? {
        try withStatement(sql, arguments, Self.firstRow)
    }

    // MARK: Reading rows in place
    //
    // The fast path: no ``Row`` is built; the closure gets a ``RowView`` over the statement, valid
    // until it returns.

    /// The first row of a query, read in place by `map`; `nil` when there is no row.
    ///
    /// `let title = try db.fetchOne("SELECT title FROM notes WHERE id = ?", id) { try $0.string("title") }`
    @inlinable
    public func fetchOne<T, Argument: DatabaseValueConvertible>(_ sql: String, _ argument: Argument, map: (RowView) throws -> T) throws -> T? {
        try withStatement(sql, argumentCount: 1, bind: { try argument.bind(to: $0, at: 1) }) { try Self.firstRow($0, map) }
    }

    /// The first row of a query, read in place by `map`; `nil` when there is no row.
    @inlinable
    public func fetchOne<T, each Argument: DatabaseValueConvertible>(_ sql: String, _ arguments: repeat each Argument, map: (RowView) throws -> T) throws -> T? {
        try withStatement(sql, argumentCount: Self.count(repeat each arguments), bind: { try Self.bind($0, repeat each arguments) }) { try Self.firstRow($0, map) }
    }

    /// The first row of a query, read in place by `map`; `nil` when there is no row.
    @inlinable
    public func fetchOne<T>(_ sql: String, arguments: StatementArguments, map: (RowView) throws -> T) throws -> T? {
        try withStatement(sql, arguments) { try Self.firstRow($0, map) }
    }

    /// Every row of a query, each read in place by `map` (no ``Row`` is built).
    ///
    /// `let titles = try db.fetchAll("SELECT title FROM notes WHERE owner_id = ?", owner) { try $0.string("title") }`
    @inlinable
    public func fetchAll<T, Argument: DatabaseValueConvertible>(_ sql: String, _ argument: Argument, map: (RowView) throws -> T) throws -> [T] {
        try withStatement(sql, argumentCount: 1, bind: { try argument.bind(to: $0, at: 1) }) { try Self.allRows($0, map) }
    }

    /// Every row of a query, each read in place by `map` (no ``Row`` is built).
    @inlinable
    public func fetchAll<T, each Argument: DatabaseValueConvertible>(_ sql: String, _ arguments: repeat each Argument, map: (RowView) throws -> T) throws -> [T] {
        try withStatement(sql, argumentCount: Self.count(repeat each arguments), bind: { try Self.bind($0, repeat each arguments) }) { try Self.allRows($0, map) }
    }

    /// Every row of a query, each read in place by `map` (no ``Row`` is built).
    @inlinable
    public func fetchAll<T>(_ sql: String, arguments: StatementArguments, map: (RowView) throws -> T) throws -> [T] {
        try withStatement(sql, arguments) { try Self.allRows($0, map) }
    }

    /// Calls `body` with each row of a query, read in place; nothing is collected.
    ///
    /// For streaming many rows out (an export, a report) without holding them all.
    @inlinable
    public func forEachRow<each Argument: DatabaseValueConvertible>(_ sql: String, _ arguments: repeat each Argument, body: (RowView) throws -> Void) throws {
        try withStatement(sql, argumentCount: Self.count(repeat each arguments), bind: { try Self.bind($0, repeat each arguments) }) { try Self.eachRow($0, body) }
    }

    /// Calls `body` with each row of a query, read in place; nothing is collected.
    public func forEachRow(_ sql: String, arguments: StatementArguments, body: (RowView) throws -> Void) throws {
        try withStatement(sql, arguments) { try Self.eachRow($0, body) }
    }

    // MARK: Binding and stepping

    /// Takes the cached statement for `sql` for one use, after checking it takes `argumentCount`
    /// arguments; every call is paired with ``endUse(_:)``. Not generic, so it is compiled once, here.
    @usableFromInline
    func beginUse(_ sql: String, argumentCount: Int) throws -> Statement {
        let statement = try cachedStatement(sql)
        try statement.checkArgumentCount(argumentCount)
        statement.isInUse = true
        return statement
    }

    /// Resets a statement taken by ``beginUse(_:argumentCount:)`` and hands it back to the cache.
    @usableFromInline
    func endUse(_ statement: Statement) {
        statement.reset()
        statement.isInUse = false
    }

    /// Runs `body` with the cached statement for `sql`, bound through `bind` after checking it takes
    /// `argumentCount` arguments, then resets it. Always inlined: the closures vanish into the caller.
    @inlinable @inline(__always)
    func withStatement<T>(_ sql: String, argumentCount: Int, bind: (Statement) throws -> Void, _ body: (Statement) throws -> T) throws -> T {
        let statement = try beginUse(sql, argumentCount: argumentCount)
        defer { endUse(statement) }
        try bind(statement)
        return try body(statement)
    }

    /// ``withStatement(_:argumentCount:bind:_:)`` with the arguments as values.
    @inlinable @inline(__always)
    func withStatement<T>(_ sql: String, _ arguments: StatementArguments, _ body: (Statement) throws -> T) throws -> T {
        try withStatement(sql, argumentCount: arguments.values.count, bind: { try $0.bind(arguments.values) }, body)
    }

    /// The number of arguments in a pack.
    @inlinable
    static func count<each Argument>(_ arguments: repeat each Argument) -> Int {
        var count = 0
        for _ in repeat each arguments { count += 1 }
        return count
    }

    /// Binds a pack of arguments to parameters 1, 2, ... of `statement`.
    @inlinable
    static func bind<each Argument: DatabaseValueConvertible>(_ statement: Statement, _ arguments: repeat each Argument) throws {
        var index: Int32 = 0
        for argument in repeat each arguments {
            index += 1
            try argument.bind(to: statement, at: index)
        }
    }

    /// Steps `statement` to its end, ignoring any rows.
    @inlinable
    static func drain(_ statement: Statement) throws {
        while try statement.step() {}
    }

    /// Every row of `statement`, copied out.
    @inlinable
    static func allRows(_ statement: Statement) throws -> [Row] {
        var rows: [Row] = []
        guard try statement.step() else { return rows }
        let columns = statement.columns
        repeat { rows.append(statement.row(columns: columns)) } while try statement.step()
        return rows
    }

    /// The first row of `statement`, copied out, or `nil`.
    @inlinable
    static func firstRow(_ statement: Statement) throws -> Row? {
        try statement.step() ? statement.row(columns: statement.columns) : nil
    }

    /// The first row of `statement` through `map`, or `nil`.
    @inlinable @inline(__always)
    static func firstRow<T>(_ statement: Statement, _ map: (RowView) throws -> T) throws -> T? {
        guard try statement.step() else { return nil }
        return try map(RowView(statement: statement, columns: statement.unretainedColumns()))
    }

    /// Every row of `statement` through `map`.
    @inlinable @inline(__always)
    static func allRows<T>(_ statement: Statement, _ map: (RowView) throws -> T) throws -> [T] {
        var results: [T] = []
        try eachRow(statement) { results.append(try map($0)) }
        return results
    }

    /// Calls `body` with a view of each row of `statement`.
    @inlinable @inline(__always)
    static func eachRow(_ statement: Statement, _ body: (RowView) throws -> Void) throws {
        guard try statement.step() else { return }
        let columns = statement.unretainedColumns()
        repeat {
            try body(RowView(statement: statement, columns: columns))
        } while try statement.step()
    }

    /// The first column of the first row as `T`, or `nil` when there is no row or it is NULL.
    ///
    /// `let count = try db.fetchValue(Int.self, "SELECT count(*) FROM notes") ?? 0`
    @inlinable
    public func fetchValue<T: DatabaseValueConvertible, each Argument: DatabaseValueConvertible>(
        _ type: T.Type, _ sql: String, _ arguments: repeat each Argument
    ) throws -> T? {
        try withStatement(sql, argumentCount: Self.count(repeat each arguments), bind: { try Self.bind($0, repeat each arguments) }) {
            try Self.firstValue(type, $0)
        }
    }

    /// The first column of the first row as `T`, or `nil` when there is no row or it is NULL.
    public func fetchValue<T: DatabaseValueConvertible>(_ type: T.Type, _ sql: String, arguments: StatementArguments) throws -> T? {
        try withStatement(sql, arguments) { try Self.firstValue(type, $0) }
    }

    /// The first column of the first row of `statement` as `T`, or `nil`.
    @usableFromInline
    static func firstValue<T: DatabaseValueConvertible>(_ type: T.Type, _ statement: Statement) throws -> T? {
        guard try statement.step() else { return nil }
        let value = statement.value(at: 0)
        guard !value.isNull else { return nil }
        guard let converted = T.fromSQLValue(value) else {
            throw RowDecodingError.typeMismatch(column: statement.columns.names[0], expected: "\(T.self)", found: value)
        }
        return converted
    }

    /// Steps a query and calls `body` with the statement positioned on each row, building no ``Row``.
    ///
    /// Columns are read by index with no type check: `try db.each(sql, arguments: [id]) { titles.append($0.string(at: 0)) }`.
    /// For hot reads prefer `fetchOne(sql, id) { row in ... }` and the other ``RowView`` readers: they check
    /// names and types and, taking typed arguments instead of an array, cost no more (docs/benchmarks.md).
    public func each(_ sql: String, arguments: StatementArguments = StatementArguments(), _ body: (Statement) throws -> Void) throws {
        try withStatement(sql, arguments) { statement in
            while try statement.step() { try body(statement) }
        }
    }

    // MARK: Facts

    /// The rowid of the last successful INSERT on this connection. https://sqlite.org/c3ref/last_insert_rowid.html
    public var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last INSERT, UPDATE or DELETE. https://sqlite.org/c3ref/changes.html
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// True while a transaction is open. https://sqlite.org/c3ref/get_autocommit.html
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// The number of prepared statements in this connection's cache.
    public var cachedStatementCount: Int { statementCache.count }

    /// Drops all cached statements.
    public func clearStatementCache() {
        lastStatement = nil
        statementCache.removeAll()
    }

    /// The value of `PRAGMA name` (first column of the first row), for checks and dashboards.
    public func pragma(_ name: String) throws -> SQLValue {
        guard name.allSatisfy({ $0.isLetter || $0 == "_" }) else {
            throw SQLiteError.misuse("invalid pragma name \"\(name)\"")
        }
        return try fetchOne("PRAGMA \(name)")?[0] ?? .null
    }
}

@available(*, unavailable)
extension Connection: Sendable {}
