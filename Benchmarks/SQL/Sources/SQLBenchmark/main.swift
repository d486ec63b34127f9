// CroftSQL vs raw C API vs GRDB on the same file layout, statements and pragmas.
// Build: swift build -c release --scratch-path .build-bench && .build-bench/release/SQLBenchmark
import Foundation

let scale = Int(ProcessInfo.processInfo.environment["BENCH_SCALE"] ?? "1") ?? 1
let singleInserts = 2_000 * scale
let batches = 20 * scale, perBatch = 1_000
let pointReadCount = 100_000 * scale
let rangeReadCount = 10_000 * scale

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("croft-bench-\(UUID().uuidString)").path
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }

var generator = SystemRandomNumberGenerator()
let rows = 20_000  // seeded before the first round; later rounds only add rows
let ids = (0..<pointReadCount).map { _ in Int64.random(in: 1...Int64(rows), using: &generator) }
let categories = (0..<rangeReadCount).map { _ in Int64.random(in: 0..<1000, using: &generator) }

let makers: [(String, (String) throws -> any Library)] = [
    ("raw", { RawLibrary(path: $0) }),
    ("croft", { try CroftLibrary(path: $0, api: .row) }),
    ("croft-view", { try CroftLibrary(path: $0, api: .view) }),
    ("croft-each", { try CroftLibrary(path: $0, api: .each) }),
    ("grdb", { try GRDBLibrary(path: $0) }),
] + (ProcessInfo.processInfo.environment["BENCH_PROBE"] != nil ? [("probe", { try ProbeLibrary(path: $0) })] : [])

// Libraries are interleaved round by round and the best round is kept, so load from other
// processes on the machine penalises everyone alike instead of whichever library ran during it.
let rounds = Int(ProcessInfo.processInfo.environment["BENCH_ROUNDS"] ?? "5") ?? 5
let only = ProcessInfo.processInfo.environment["BENCH_LIBS"].map { Set($0.split(separator: ",").map(String.init)) }
// "croft-view" and "croft-each" read the very file "croft" wrote, so every CroftSQL read path sees identical data.
let libraries = try makers.filter { only?.contains($0.0) ?? true }.map { key, make in
    try make("\(directory)/\(key.hasPrefix("croft") ? "croft" : key).sqlite3")
}
/// The CroftSQL read variants share the "croft" file and only read.
func readsOnlyLibrary(_ library: any Library) -> Bool { library.name == "CroftSQL view" || library.name == "CroftSQL each" }
var best: [String: Measurement] = [:]
@MainActor func keep(_ measurement: Measurement) {
    let key = measurement.library + "|" + measurement.workload
    if best[key].map({ $0.perSecond < measurement.perSecond }) ?? true { best[key] = measurement }
}
for library in libraries where !readsOnlyLibrary(library) {
    try library.batchedInserts(batches: 20, perBatch: 1000)  // seed rows for the first read round
}
let readsOnly = ProcessInfo.processInfo.environment["BENCH_READS_ONLY"] != nil
/// BENCH_POINT_ONLY: only the point reads (with BENCH_READS_ONLY), e.g. to count instructions under callgrind.
let pointReadsOnly = ProcessInfo.processInfo.environment["BENCH_POINT_ONLY"] != nil
for round in 1...rounds {
    // "CroftSQL view" and "CroftSQL each" differ only in how they read, so they skip the write workloads.
    for library in libraries where !readsOnly && !readsOnlyLibrary(library) {
        keep(try measure(library.name, "single-row insert transactions", operations: singleInserts) {
            try library.singleInsertTransactions(singleInserts)
        })
        keep(try measure(library.name, "batched inserts (1000/tx)", operations: batches * perBatch) {
            try library.batchedInserts(batches: batches, perBatch: perBatch)
        })
    }
    for library in libraries {
        var checksum = 0
        keep(try measure(library.name, "point reads by PK", operations: ids.count) {
            checksum = try library.pointReads(ids)
        })
        if !pointReadsOnly {
            keep(try measure(library.name, "50-row indexed range reads", operations: categories.count) {
                checksum &+= try library.rangeReads(categories)
            })
        }
        if round == 1 { FileHandle.standardError.write(Data("\(library.name) checksum \(checksum)\n".utf8)) }
    }
}
for library in libraries { library.close() }
let results = Array(best.values)

func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
func format(_ value: Double) -> String { String(format: "%12.0f", value) }

print(pad("workload", 34) + pad("library", 15) + "       ops/s   vs raw  vs GRDB")
for workload in ["single-row insert transactions", "batched inserts (1000/tx)", "point reads by PK", "50-row indexed range reads"] where !readsOnly || workload.contains("reads") {
    let order = ["raw C", "CroftSQL", "CroftSQL view", "CroftSQL each", "GRDB", "raw C on pool reader"]
    let group = results.filter { $0.workload == workload }.sorted { order.firstIndex(of: $0.library)! < order.firstIndex(of: $1.library)! }
    let raw = group.first { $0.library == "raw C" }?.perSecond ?? .nan
    let grdb = group.first { $0.library == "GRDB" }?.perSecond ?? .nan
    for measurement in group {
        print(pad(workload, 34) + pad(measurement.library, 15) + format(measurement.perSecond)
              + String(format: "  %6.0f%%  %6.0f%%", measurement.perSecond / raw * 100, measurement.perSecond / grdb * 100))
    }
}
