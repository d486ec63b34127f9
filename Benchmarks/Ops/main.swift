// croft-ops-bench: cache get/set per second against an in-process dictionary (the limit), and jobs
// enqueued and completed per second with 1 and 4 workers. Run: swift run -c release croft-ops-bench [N]
import Croft
import Foundation
import Synchronization

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 20_000
let directory = NSTemporaryDirectory() + "croft-ops-bench-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }

func measure(_ label: String, operations: Int, _ body: () async throws -> Void) async rethrows {
    let start = ContinuousClock.now
    try await body()
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let padded = label.padding(toLength: max(label.count, 56), withPad: " ", startingAt: 0)
    print(padded + String(format: " %9.0f /s  (%d in %.2f s)", Double(operations) / seconds, operations, seconds))
}

/// The limit: a dictionary behind a mutex, values JSON-encoded like the cache's.
final class DictionaryCache: Sendable {
    let storage = Mutex<[String: Data]>([:])
    func set<T: Encodable>(_ key: String, _ value: T) throws {
        let data = try JSONEncoder().encode(value)
        storage.withLock { $0[key] = data }
    }
    func get<T: Decodable>(_ key: String, as type: T.Type) throws -> T? {
        guard let data = storage.withLock({ $0[key] }) else { return nil }
        return try JSONDecoder().decode(T.self, from: data)
    }
}

print("cache: \(count) sets then \(count) gets of a small Codable value, one caller")
let dictionary = DictionaryCache()
try await measure("dictionary set", operations: count) { for i in 0..<count { try dictionary.set("k\(i)", ["n": i]) } }
try await measure("dictionary get", operations: count) { for i in 0..<count { _ = try dictionary.get("k\(i)", as: [String: Int].self) } }
for (name, configuration) in [("cache (synchronous=OFF, its default)", Cache.defaultConfiguration),
                              ("cache (production pragmas, synchronous=NORMAL)", DatabaseConfiguration())] {
    let cache = try Cache(path: directory + "/cache-\(UUID().uuidString).sqlite3", maxEntries: count * 2, configuration: configuration)
    try await measure("\(name) set", operations: count) { for i in 0..<count { try await cache.set("k\(i)", ["n": i]) } }
    try await measure("\(name) get", operations: count) { for i in 0..<count { _ = try await cache.get("k\(i)", as: [String: Int].self) } }
    let concurrent = count
    try await measure("\(name) get, 8 concurrent callers", operations: concurrent) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<8 {
                group.addTask { for i in stride(from: caller, to: concurrent, by: 8) { _ = try await cache.get("k\(i)", as: [String: Int].self) } }
            }
            try await group.waitForAll()
        }
    }
    cache.close()
}

struct Noop: Job {
    static let name = "noop"
    let n: Int
    func run(_ context: JobContext) async throws {}
}

let jobs = max(1000, count / 4)
print("\njobs: \(jobs) no-op jobs")
for workers in [1, 4] {
    let database = try DatabasePool(path: directory + "/jobs-\(workers).sqlite3")
    let queue = try JobQueue(database: database)
    try await measure("enqueue, one write per job", operations: jobs) { for n in 0..<jobs { try await queue.enqueue(Noop(n: n)) } }
    var registry = JobRegistry()
    registry.register(Noop.self)
    let pool = (0..<workers).map { _ in
        JobWorker(queue: queue, registry: registry, concurrency: 4, lease: 60, pollInterval: .milliseconds(5))
    }
    try await measure("complete with \(workers) worker(s) × concurrency 4", operations: jobs) {
        let tasks = pool.map { worker in Task { await worker.run() } }
        while try await queue.counts().done < jobs { try await Task.sleep(for: .milliseconds(5)) }
        for worker in pool { await worker.stop(deadline: .seconds(1)) }
        for task in tasks { await task.value }
    }
    database.close()
}
