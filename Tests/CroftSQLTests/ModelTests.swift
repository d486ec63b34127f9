import CroftSQL
import Foundation
import Testing

struct Note: Model, Equatable {
    static let tableName = "notes"
    var id: Int64?
    var ownerID: Int64
    var title: String
    var body: String?
    var createdAt: Date?
    var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, ownerID = "owner_id", title, body, createdAt = "created_at", updatedAt = "updated_at"
    }

    init(ownerID: Int64, title: String, body: String? = nil) {
        self.ownerID = ownerID
        self.title = title
        self.body = body
    }
}

/// A model whose table name needs quoting.
struct Odd: Model {
    static let tableName = "odd \"table\""
    var id: Int64?
    var value: String
}

@Suite struct ModelTests {
    static func makeDatabase() throws -> Connection {
        let db = try Connection(path: ":memory:")
        try db.executeScript(#"""
            CREATE TABLE notes (
                id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, title TEXT NOT NULL, body TEXT,
                created_at TEXT NOT NULL, updated_at TEXT NOT NULL
            );
            CREATE INDEX notes_owner ON notes (owner_id, created_at);
            CREATE TABLE "odd ""table""" (id INTEGER PRIMARY KEY, value TEXT);
            """#)
        return db
    }

    @Test func insertFillsIDAndTimestamps() throws {
        let db = try Self.makeDatabase()
        var note = Note(ownerID: 1, title: "Hello")
        try note.insert(db)
        #expect(note.id == 1)
        #expect(note.createdAt != nil)
        #expect(note.updatedAt == note.createdAt)
        #expect(try Note.find(1, in: db) == note)
    }

    @Test func updateSaveAndDelete() throws {
        let db = try Self.makeDatabase()
        var note = Note(ownerID: 1, title: "Hello", body: "text")
        try note.save(db)
        let created = note.createdAt
        usleep(2000)
        note.title = "Changed"
        note.body = nil  // nil must clear the column
        try note.save(db)
        let stored = try #require(try Note.find(note.id!, in: db))
        #expect(stored.title == "Changed")
        #expect(stored.body == nil)
        #expect(stored.createdAt == created)
        #expect(stored.updatedAt! > created!)
        #expect(try note.delete(db))
        #expect(try Note.find(note.id!, in: db) == nil)
        #expect(throws: ModelError.notFound(table: "notes", id: note.id!)) { try note.update(db) }
        var fresh = Note(ownerID: 1, title: "x")
        #expect(throws: ModelError.missingID(table: "notes")) { try fresh.update(db) }
    }

    @Test func queryBuilderFiltersOrdersAndPages() throws {
        let db = try Self.makeDatabase()
        for index in 1...25 {
            var note = Note(ownerID: index % 2 == 0 ? 2 : 1, title: "note \(index)")
            try note.insert(db)
        }
        let mine = try Note.query().where("owner_id = ?", 2).order("id DESC").limit(3).all(db)
        #expect(mine.map(\.title) == ["note 24", "note 22", "note 20"])
        #expect(try Note.query().where("owner_id", equals: 1).count(db) == 13)
        #expect(try Note.query().where("body", equals: nil as String?).count(db) == 25)
        #expect(try Note.query().where("id", in: [1, 2, 3]).count(db) == 3)
        #expect(try Note.query().where("id", in: []).count(db) == 0)
        #expect(try Note.query().where("title = ?", "nope").exists(db) == false)
        #expect(try Note.query().order(by: "id", descending: true).first(db)?.title == "note 25")
        #expect(try Note.query().order(by: "id").offset(24).all(db).map(\.title) == ["note 25"])
        #expect(try Note.all(db).count == 25)

        let page = try Note.query().where("owner_id = ?", 1).order(by: "id").page(2, perPage: 5, in: db)
        #expect(page.items.map(\.title) == ["note 11", "note 13", "note 15", "note 17", "note 19"])
        #expect(page.totalCount == 13 && page.totalPages == 3)
        #expect(page.hasNext && page.hasPrevious)
        let last = try Note.query().where("owner_id = ?", 1).page(3, perPage: 5, in: db)
        #expect(last.items.count == 3 && !last.hasNext)

        #expect(try Note.query().where("owner_id = ?", 2).updateAll(db, set: ["body": "bulk"]) == 12)
        #expect(try Note.query().where("body", equals: "bulk").count(db) == 12)
        #expect(try Note.query().where("owner_id = ?", 2).deleteAll(db) == 12)
        #expect(try Note.query().count(db) == 13)
    }

    @Test func anEmptyResultIsOnePageWithNoNeighbours() throws {
        let db = try Self.makeDatabase()
        let page = try Note.query().page(1, perPage: 10, in: db)
        #expect(page.items.isEmpty && page.totalCount == 0 && page.totalPages == 1)
        #expect(!page.hasNext && !page.hasPrevious && page.nextNumber == nil)
    }

    @Test func pageNumbersFromOutsideNeverTrap() throws {
        let db = try Self.makeDatabase()
        for index in 1...3 {
            var note = Note(ownerID: 1, title: "note \(index)")
            try note.insert(db)
        }
        // ?page=Int.max once computed (number - 1) * perPage and trapped on overflow.
        for number in [Int.max, Int.max / 2 + 1, Int.max / 20 + 1, 3] {
            let page = try Note.query().page(number, perPage: 20, in: db)
            #expect(page.items.isEmpty && page.isPastEnd && page.totalCount == 3, "page \(number)")
        }
        let clamped = try Note.query().page(Int.min, perPage: 2, in: db)
        #expect(clamped.number == 1 && clamped.items.count == 2 && !clamped.isPastEnd)
        #expect(Page<Int>(items: [], number: 1, perPage: Int.max, totalCount: Int.max).totalPages == 1)
        #expect(Page<Int>(items: [], number: 2, perPage: 1, totalCount: 1).isPastEnd)
    }

    @Test func datesCompareInQueriesBecauseTheirTextSorts() throws {
        let db = try Self.makeDatabase()
        var old = Note(ownerID: 1, title: "old")
        try old.insert(db)
        try db.execute("UPDATE notes SET created_at = ? WHERE id = ?", Date(timeIntervalSince1970: 0), old.id)
        var recent = Note(ownerID: 1, title: "recent")
        try recent.insert(db)
        let cutoff = Date(timeIntervalSinceNow: -3600)
        #expect(try Note.query().where("created_at > ?", cutoff).all(db).map(\.title) == ["recent"])
    }

    @Test func injectionAttemptsStayData() throws {
        let db = try Self.makeDatabase()
        let hostile = "x' OR '1'='1"
        var note = Note(ownerID: 1, title: hostile)
        try note.insert(db)
        var other = Note(ownerID: 1, title: "other")
        try other.insert(db)
        #expect(try Note.query().where("title = ?", hostile).count(db) == 1)
        #expect(try Note.query().where("title", equals: "' OR 1=1 --").count(db) == 0)
        // A user-chosen sort column is quoted: it can only name a column, never inject.
        #expect(throws: SQLiteError.self) { try Note.query().order(by: "id; DROP TABLE notes").all(db) }
        #expect(throws: SQLiteError.self) { try Note.query().where("title\" = 'x' OR \"1", equals: "x").all(db) }
        #expect(try Note.query().count(db) == 2)
        var odd = Odd(value: "quoted table works")
        try odd.insert(db)
        #expect(try Odd.find(odd.id!, in: db)?.value == "quoted table works")
    }

    @Test func uniqueViolationsSurfaceFromModels() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE odd (id INTEGER PRIMARY KEY, value TEXT UNIQUE)")
        struct Unique: Model { static let tableName = "odd"; var id: Int64?; var value: String }
        var first = Unique(value: "same")
        try first.insert(db)
        var second = Unique(value: "same")
        let error = #expect(throws: SQLiteError.self) { try second.insert(db) }
        #expect(error?.isUniqueConstraintViolation == true)
        #expect(second.id == nil)
    }

    @Test func modelsWorkThroughThePool() async throws {
        let directory = TemporaryDirectory()
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        try await pool.write { db in
            try db.executeScript("CREATE TABLE notes (id INTEGER PRIMARY KEY, owner_id INTEGER, title TEXT, body TEXT, created_at TEXT, updated_at TEXT)")
        }
        let inserted = try await pool.write { db in
            var note = Note(ownerID: 9, title: "pooled")
            try note.insert(db)
            return note
        }
        let found = try await pool.read { db in try Note.query().where("owner_id = ?", 9).first(db) }
        #expect(found == inserted)
    }
}
