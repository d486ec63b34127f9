import CroftTesting
import Foundation
import Testing
@testable import Croft

@Suite struct SessionStoreTests {
    let directory: TemporaryDirectory
    let database: DatabasePool

    init() throws {
        directory = try TemporaryDirectory()
        database = try DatabasePool(path: directory.path + "/db.sqlite3")
        try database.writeSync { db in try db.executeScript(SessionStore.createTableSQL) }
    }

    @Test func savesLoadsAndDeletesUnderAHashedKey() async throws {
        let store = SessionStore(database: database)
        let id = SessionStore.newID()
        #expect(SessionStore.isWellFormed(id))
        try await store.save(id: id, values: ["user_id": "7"])
        #expect(try await store.load(id: id) == ["user_id": "7"])
        // The id itself is never stored: a copy of the database holds no usable cookie.
        let keys = try await database.read { db in try db.fetchAll("SELECT key_hash FROM sessions").map { try $0.string("key_hash") } }
        #expect(keys.count == 1 && keys[0] != id && keys[0].count == 64)
        try await store.delete(id: id)
        #expect(try await store.load(id: id) == nil)
        #expect(try await store.load(id: "not-a-session-id") == nil)
    }

    @Test func ignoresAndPurgesExpiredSessions() async throws {
        let expired = SessionStore(database: database, lifetime: -1)
        let live = SessionStore(database: database)
        let old = SessionStore.newID(), fresh = SessionStore.newID()
        try await expired.save(id: old, values: ["a": "1"])
        try await live.save(id: fresh, values: ["b": "2"])
        #expect(try await live.load(id: old) == nil)
        #expect(try await live.purgeExpired() == 1)
        #expect(try await live.load(id: fresh) == ["b": "2"])
    }
}
