import CroftCore
/// The pragmas every connection gets, in one documented place.
///
/// The defaults are the production set for a web app on one SQLite file; override any field
/// (for example from `Settings`) before opening a pool.
///
/// ```swift
/// var configuration = DatabaseConfiguration()
/// configuration.busyTimeoutMilliseconds = 10_000
/// let db = try DatabasePool(path: "data/db.sqlite3", configuration: configuration)
/// ```
public struct DatabaseConfiguration: Sendable, Equatable {
    /// `journal_mode=WAL`: readers never block the writer and the writer never blocks readers,
    /// which is what lets one writer and many readers share the file.
    /// https://sqlite.org/pragma.html#pragma_journal_mode and https://sqlite.org/wal.html
    public var journalMode: JournalMode = .wal

    /// `synchronous=NORMAL`: in WAL mode this is durable across application crashes and only
    /// risks the last commits on power loss, at a fraction of FULL's fsync cost.
    /// https://sqlite.org/pragma.html#pragma_synchronous
    public var synchronous: SynchronousMode = .normal

    /// `foreign_keys=ON`: SQLite does not enforce `REFERENCES` unless asked, per connection.
    /// https://sqlite.org/pragma.html#pragma_foreign_keys
    public var foreignKeys: Bool = true

    /// `busy_timeout=5000`: how long a connection waits for a lock held by another *process*
    /// (a CLI command, a second server) before failing with `SQLITE_BUSY`. In-process writes
    /// queue on the pool's writer and never wait here.
    /// https://sqlite.org/pragma.html#pragma_busy_timeout
    public var busyTimeoutMilliseconds: Int = 5000

    /// `temp_store=MEMORY`: temporary tables and indices built for sorts live in RAM, not in temp files.
    /// https://sqlite.org/pragma.html#pragma_temp_store
    public var tempStore: TempStore = .memory

    /// `mmap_size=134217728` (128 MiB): reads of the first 128 MiB go through memory mapping,
    /// saving a copy per page read. https://sqlite.org/pragma.html#pragma_mmap_size
    public var mmapSize: Int64 = 134_217_728

    /// `journal_size_limit=27103364` (~26 MiB): after a checkpoint the WAL file is truncated to
    /// this size instead of staying as large as its busiest moment.
    /// https://sqlite.org/pragma.html#pragma_journal_size_limit
    public var journalSizeLimit: Int64 = 27_103_364

    /// `cache_size=2000`: up to 2000 pages (8 MiB at 4 KiB pages) of page cache per connection.
    /// https://sqlite.org/pragma.html#pragma_cache_size
    public var cacheSize: Int = 2000

    /// How many reader connections a ``DatabasePool`` opens; `nil` means the active processor
    /// count, and never fewer than 2.
    public var readerCount: Int? = nil

    /// How many prepared statements each connection keeps, keyed by SQL text.
    public var statementCacheCapacity: Int = 64

    /// How many recent write-queue waits ``PoolStatistics`` keeps for its percentiles.
    public var waitSampleCapacity: Int = 1024

    /// The production defaults listed above.
    public init() {}

    /// What is wrong with this configuration, one phrase each; empty when every value is one SQLite accepts.
    ///
    /// The keyword pragmas are enums, so a value SQLite would ignore cannot be set; the numbers are checked
    /// here, and ``Connection`` refuses to open with any problem.
    public var problems: [String] {
        var problems: [String] = []
        // sqlite3_busy_timeout takes an int of milliseconds; larger would also overflow the pool's deadlines.
        if !(0...Int(Int32.max)).contains(busyTimeoutMilliseconds) {
            problems.append("busy_timeout \(busyTimeoutMilliseconds) is not between 0 and \(Int32.max) milliseconds")
        }
        if mmapSize < 0 { problems.append("mmap_size \(mmapSize) is negative") }
        if journalSizeLimit < -1 { problems.append("journal_size_limit \(journalSizeLimit) is below -1 (no limit)") }
        if let readerCount, !(1...256).contains(readerCount) {
            problems.append("the reader count \(readerCount) is not between 1 and 256")
        }
        if statementCacheCapacity < 0 { problems.append("the statement cache capacity \(statementCacheCapacity) is negative") }
        if waitSampleCapacity < 1 { problems.append("the wait sample capacity \(waitSampleCapacity) is below 1") }
        return problems
    }

    /// The per-connection pragma statements, in the order they are applied.
    ///
    /// `busy_timeout` comes first so later pragmas wait for locks held by other processes;
    /// `journal_mode` is persistent in the file and is set separately by writers only.
    var connectionPragmas: [String] {
        [
            "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)",
            "PRAGMA synchronous = \(synchronous.rawValue)",
            "PRAGMA foreign_keys = \(foreignKeys ? "ON" : "OFF")",
            "PRAGMA temp_store = \(tempStore.rawValue)",
            "PRAGMA mmap_size = \(mmapSize)",
            "PRAGMA journal_size_limit = \(journalSizeLimit)",
            "PRAGMA cache_size = \(cacheSize)",
        ]
    }

    /// The number of readers a pool has under this configuration (all but the first open on first use).
    var effectiveReaderCount: Int {
        max(2, readerCount ?? ProcessInfoShim.activeProcessorCount)
    }
}
