/// Swift names to snake_case: how a model's properties become column names and template keys
/// (`ownerID` → `owner_id`, `createdAt` → `created_at`, `isStaff` → `is_staff`, `htmlURL` → `html_url`).
public enum SnakeCase {
    /// `name` in snake_case: a word starts at each upper-case letter that follows a lower-case letter or
    /// digit, and at the last capital of a run followed by a lower-case letter (`URLString` → `url_string`).
    /// Names without capitals come back unchanged (`owner_id`, `title`), so converting twice is harmless.
    public static func convert(_ name: String) -> String {
        // The common case, a name already in lower case, costs one scan and no allocation.
        guard name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return name }
        let scalars = Array(name.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if isUpper(scalar), index > 0 {
                let previous = scalars[index - 1]
                let nextIsLower = index + 1 < scalars.count && isLower(scalars[index + 1])
                if (isLower(previous) || isDigit(previous)) || (isUpper(previous) && nextIsLower) {
                    if previous != "_" { out.append("_") }
                }
            }
            out.append(contentsOf: isUpper(scalar) ? String(scalar).lowercased().unicodeScalars : String(scalar).unicodeScalars)
        }
        return String(out)
    }

    private static func isUpper(_ scalar: Unicode.Scalar) -> Bool { ("A"..."Z").contains(scalar) }
    private static func isLower(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) }
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}
