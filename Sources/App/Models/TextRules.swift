/// Rules every text field of the site shares.
enum TextRules {
    /// The most characters a display name may have (the table checks it too, see migration 0004).
    static let maxDisplayNameLength = 80

    /// Whether `text` holds a control character: C0 (NUL included), DEL or C1; tab, CR and LF are allowed
    /// only in `multiline` text. Such characters have no business in a form and break what shows them.
    static func hasControlCharacters(_ text: String, multiline: Bool) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 9, 10, 13: !multiline
            case 0..<32, 127..<160: true
            default: false
            }
        }
    }

    /// What is wrong with a display name, or nil.
    static func displayNameProblem(_ name: String) -> String? {
        // Counted as SQLite's length() counts (code points), so the table's CHECK agrees.
        if name.unicodeScalars.count > maxDisplayNameLength { return "Keep it under \(maxDisplayNameLength) characters." }
        if hasControlCharacters(name, multiline: false) { return "Use letters, digits, spaces and punctuation only." }
        return nil
    }
}
