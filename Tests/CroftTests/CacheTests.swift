import Foundation
import Synchronization
import Testing
@testable import Croft

@Suite struct CacheTests {
    let directory: OperationsDirectory

    init() throws {
        directory = try OperationsDirectory()
    }

    let clock = TestClock()

    func makeCache(maxEntries: Int = 1000, cullEvery: Int? = nil) throws -> Cache {
        try Cache(path: directory.file("cache.sqlite3"), maxEntries: maxEntries, cullEvery: cullEvery,
                  clock: { [clock] in clock.now })
    }

    struct Profile: Codable, Equatable, Sendable {
        let name: String
        let tags: [String]
    }

    @Test func storesCodableValuesAndDeletesThem() async throws {
        let cache = try makeCache()
        defer { cache.close() }
        try await cache.set("profile", Profile(name: "Ada", tags: ["math"]))
        #expect(try await cache.get("profile", as: Profile.self) == Profile(name: "Ada", tags: ["math"]))
        #expect(try await cache.get("profile", as: Int.self) == nil)  // wrong type reads as a miss
        #expect(try await cache.delete("profile"))
        #expect(try await cache.get("profile", as: Profile.self) == nil)
        #expect(try await !cache.delete("profile"))
    }

    @Test func entriesExpireAfterTheirTTL() async throws {
        let cache = try makeCache()
        defer { cache.close() }
        try await cache.set("short", "soon gone", ttl: .seconds(10))
        try await cache.set("long", "stays", ttl: .seconds(60))
        #expect(try await cache.get("short", as: String.self) == "soon gone")
        clock.advance(by: 11)
        #expect(try await cache.get("short", as: String.self) == nil)
        #expect(try await cache.get("long", as: String.self) == "stays")
        #expect(try await cache.cull() == 1)  // the expired row is gone from the file too
    }

    @Test func incrementCountsAtomicallyAndRestartsAfterExpiry() async throws {
        let cache = try makeCache()
        defer { cache.close() }
        #expect(try await cache.increment("hits") == 1)
        #expect(try await cache.increment("hits", by: 5) == 6)
        #expect(try await cache.get("hits", as: Int.self) == 6)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<50 { group.addTask { _ = try? await cache.increment("hits") } }
        }
        #expect(try await cache.get("hits", as: Int.self) == 56)
        #expect(try await cache.increment("window", ttl: .seconds(30)) == 1)
        clock.advance(by: 31)
        #expect(try await cache.increment("window", ttl: .seconds(60)) == 1)
    }

    @Test func cullsExpiredThenOldestPastTheCap() async throws {
        let cache = try makeCache(maxEntries: 50, cullEvery: 10)
        defer { cache.close() }
        for index in 0..<200 { try await cache.set("k\(index)", index) }
        #expect(try await cache.count() <= 60)
        #expect(try await cache.get("k199", as: Int.self) == 199)  // the newest survive
        #expect(try await cache.get("k0", as: Int.self) == nil)    // the oldest were culled
    }

    @Test func getOrSetComputesOnceUnderConcurrency() async throws {
        let cache = try makeCache()
        defer { cache.close() }
        let computations = Counter()
        let results = await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    try? await cache.getOrSet("answer", ttl: .seconds(60)) {
                        computations.value.add(1, ordering: .relaxed)
                        try await Task.sleep(for: .milliseconds(100))
                        return 42
                    }
                }
            }
            return await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 == 42 })
        #expect(computations.value.load(ordering: .relaxed) == 1)
        #expect(try await cache.getOrSet("answer") { 7 } == 42)
    }

    @Test func clearEmptiesTheCache() async throws {
        let cache = try makeCache()
        defer { cache.close() }
        try await cache.set("a", 1)
        try await cache.clear()
        #expect(try await cache.count() == 0)
    }
}

/// A counter closures can share.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let seconds = Mutex<Double>(1_767_225_600)

    var now: Double { seconds.withLock { $0 } }

    func advance(by delta: Double) {
        seconds.withLock { $0 += delta }
    }
}
