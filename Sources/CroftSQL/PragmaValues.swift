/// A pragma's keyword values as a type, so a value SQLite would silently ignore (`synchronous = FUL`) does
/// not compile; text from settings is parsed with ``init(setting:)``, which also takes SQLite's numbers.
public protocol PragmaKeyword: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    /// Whether SQLite also accepts a keyword's position as a number (`synchronous = 2`, `temp_store = 1`).
    static var acceptsNumbers: Bool { get }
}

extension PragmaKeyword {
    /// The value for a setting's text: a keyword in any case, or SQLite's number for it (`2` is FULL for
    /// `synchronous`); nil for anything SQLite would ignore.
    public init?(setting text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let cases = Array(Self.allCases)
        if let number = Int(trimmed), cases.indices.contains(number), Self.acceptsNumbers {
            self = cases[number]
        } else if let keyword = Self(rawValue: trimmed.uppercased()) {
            self = keyword
        } else {
            return nil
        }
    }

    /// The keywords, for an error message: `OFF, NORMAL, FULL, EXTRA`.
    public static var keywords: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Numbers are accepted unless the pragma says otherwise.
    public static var acceptsNumbers: Bool { true }
}

/// `PRAGMA journal_mode`. https://sqlite.org/pragma.html#pragma_journal_mode
public enum JournalMode: String, PragmaKeyword {
    case delete = "DELETE", truncate = "TRUNCATE", persist = "PERSIST", memory = "MEMORY", wal = "WAL", off = "OFF"
    /// `journal_mode` takes keywords only.
    public static var acceptsNumbers: Bool { false }
}

/// `PRAGMA synchronous` (0 to 3). https://sqlite.org/pragma.html#pragma_synchronous
public enum SynchronousMode: String, PragmaKeyword {
    case off = "OFF", normal = "NORMAL", full = "FULL", extra = "EXTRA"
}

/// `PRAGMA temp_store` (0 to 2). https://sqlite.org/pragma.html#pragma_temp_store
public enum TempStore: String, PragmaKeyword {
    case `default` = "DEFAULT", file = "FILE", memory = "MEMORY"
}
