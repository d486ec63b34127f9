import CroftSQL
import Foundation
import Testing

@Suite struct RowCodingTests {
    enum Status: String, Codable, Sendable { case draft, published }
    struct Address: Codable, Equatable, Sendable { var city: String; var zip: String }
    struct Profile: Codable, Equatable, Sendable {
        var id: Int64
        var name: String
        var nickname: String?
        var score: Double
        var active: Bool
        var status: Status
        var tags: [String]
        var address: Address
        var avatar: Data
        var token: UUID
        var joined: Date
        var level: Int8
    }

    static let sample = Profile(
        id: 7, name: "Ada", nickname: nil, score: 9.5, active: true, status: .published, tags: ["a", "b"],
        address: Address(city: "Paris", zip: "75001"), avatar: Data([1, 2, 3]), token: UUID(),
        joined: Date(timeIntervalSince1970: 1_767_225_600.5), level: 3
    )

    @Test func encodesPropertiesAsColumnsIncludingNilAsNull() throws {
        let columns = try RowEncoder().encode(Self.sample)
        let byName = Dictionary(uniqueKeysWithValues: columns.map { ($0.column, $0.value) })
        #expect(columns.map(\.column).first == "id")
        #expect(byName["nickname"] == .null)
        #expect(byName["active"] == .integer(1))
        #expect(byName["status"] == .text("published"))
        #expect(byName["tags"] == .text("[\"a\",\"b\"]"))
        #expect(byName["avatar"] == .blob([1, 2, 3]))
        #expect(byName["joined"] == .text("2026-01-01T00:00:00.500Z"))
        #expect(byName["level"] == .integer(3))
    }

    /// An in-memory database whose `profiles` table holds ``sample``, written through ``RowEncoder``.
    static func databaseWithSample() throws -> Connection {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE profiles (id INTEGER PRIMARY KEY, name, nickname, score, active, status, tags, address, avatar, token, joined, level)")
        let columns = try RowEncoder().encode(sample)
        let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        try db.execute("INSERT INTO profiles (\(columns.map(\.column).joined(separator: ", "))) VALUES (\(marks))", arguments: StatementArguments(columns.map(\.value)))
        return db
    }

    @Test func roundTripsThroughARealTable() throws {
        let db = try Self.databaseWithSample()
        let decoded = try #require(try db.fetchOne("SELECT * FROM profiles")).decode(Profile.self)
        #expect(decoded == Self.sample)
    }

    @Test func integerEnumsAndOptionalsDecode() throws {
        enum Priority: Int, Codable { case low = 1, high = 2 }
        struct Task: Codable, Equatable { var priority: Priority; var due: Date?; var labels: [String]? }
        let db = try Connection(path: ":memory:")
        let row = try #require(try db.fetchOne("SELECT 2 AS priority, NULL AS due, '[\"x\"]' AS labels"))
        #expect(try row.decode(Task.self) == Task(priority: .high, due: nil, labels: ["x"]))
        let columns = try RowEncoder().encode(Task(priority: .low, due: nil, labels: nil))
        #expect(columns.map(\.value) == [.integer(1), .null, .null])
    }

    @Test func decodingErrorsNameTheColumn() throws {
        let db = try Connection(path: ":memory:")
        struct Needs: Decodable { var title: String; var count: Int }
        let missing = try #require(try db.fetchOne("SELECT 'x' AS title"))
        let error = #expect(throws: DecodingError.self) { try missing.decode(Needs.self) }
        #expect(String(describing: error).contains("count"))
        let null = try #require(try db.fetchOne("SELECT NULL AS title, 1 AS count"))
        #expect(throws: DecodingError.self) { try null.decode(Needs.self) }
    }
}
