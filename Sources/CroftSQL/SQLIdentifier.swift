/// Quoting of SQL identifiers (table and column names).
///
/// Identifiers are wrapped in double quotes with inner double quotes doubled, which is the SQL
/// standard rule SQLite follows (https://sqlite.org/lang_keywords.html). A quoted identifier can
/// never end early, so a name cannot smuggle SQL in.
public enum SQLIdentifier {
    /// `notes` → `"notes"`, `we"ird` → `"we""ird"`.
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    /// Doubles every `"`; a tiny dependency-free replacement for Foundation's method.
    fileprivate func replacingOccurrences(of target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(count + 2)
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
