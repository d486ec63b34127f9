/// Typed reads of the merged settings variables for the settings groups kept in their own files
/// (``OperationsSettings``, ``MailSettings``): each value that does not parse adds one sentence to
/// ``problems`` and the default is used, so start-up can refuse with every problem listed.
struct SettingValues {
    let values: [String: String]
    let baseDirectory: String
    private(set) var problems: [String] = []

    init(_ settings: Settings) {
        values = settings.values
        baseDirectory = settings.baseDirectory
    }

    /// The trimmed value; nil when unset or empty.
    func text(_ key: String) -> String? {
        guard let value = values[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// A path, relative ones taken from the project root.
    func path(_ key: String, _ fallback: String) -> String {
        guard let value = values[key], !value.isEmpty else { return fallback }
        return value.hasPrefix("/") ? value : baseDirectory + "/" + value
    }

    /// A whole number within `range`.
    mutating func number(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) -> Int {
        guard let text = text(key) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            problems.append("\(key)=\"\(text)\" is not a whole number between \(range.lowerBound) and \(range.upperBound)")
            return fallback
        }
        return value
    }

    /// A yes/no value: `1, true, yes, on` or `0, false, no, off`.
    mutating func flag(_ key: String, _ fallback: Bool) -> Bool {
        guard let text = text(key) else { return fallback }
        guard let value = Settings.flag(text) else {
            problems.append("\(key)=\"\(text)\" is not one of 1, true, yes, on, 0, false, no, off")
            return fallback
        }
        return value
    }

    /// One of a fixed set of words (compared without case).
    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, _ fallback: Choice) -> Choice
        where Choice.RawValue == String {
        guard let text = text(key) else { return fallback }
        guard let value = Choice(rawValue: text.lowercased()) else {
            problems.append("\(key)=\"\(text)\" is not one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
            return fallback
        }
        return value
    }

    /// Records a problem found by a check across several values.
    mutating func problem(_ sentence: String) {
        problems.append(sentence)
    }
}
