import Foundation

/// A value a template can print, test, loop over or look into.
///
/// Context data is converted to `TemplateValue` once, before rendering, so the renderer never
/// reflects over Swift types. `safeString` is a distinct kind so that HTML escaping is applied
/// exactly once: text that is already HTML is never escaped again.
///
/// ```swift
/// let context: [String: TemplateValue] = ["user": ["name": "Ada"], "notes": [1, 2, 3]]
/// let fromModel = try TemplateValue(encoding: note)
/// ```
public enum TemplateValue: Sendable, Hashable {
    /// No value; prints as the empty string and is false in `{% if %}`.
    case null
    /// A Boolean; prints as `True` or `False`, like Django.
    case bool(Bool)
    /// An integer.
    case int(Int)
    /// A floating-point number.
    case double(Double)
    /// Plain text; HTML-escaped when printed while autoescaping is on.
    case string(String)
    /// Text that is already HTML; printed as is.
    case safeString(String)
    /// A point in time; format it with the `date` filter.
    case date(Date)
    /// An ordered list; index it with `items.0`, loop over it with `{% for %}`.
    case array([TemplateValue])
    /// A string-keyed map; look into it with `user.name`.
    case dictionary([String: TemplateValue])
}

extension TemplateValue {
    /// Converts any `Encodable` value (a model, a struct of view data) into a template value.
    ///
    /// Uses a small in-memory encoder: no JSON text is produced on the way. `Date` becomes
    /// `.date`, `URL` becomes its absolute string, optionals that are `nil` become `.null`, and keys
    /// become snake_case as the templates spell them (`createdAt` is `created_at`).
    public init(encoding value: some Encodable) throws {
        self = try TemplateValueEncoder.encode(value)
    }

    /// Python's `is` as templates use it: `None` is `None` (a missing variable too), `True` is `True`,
    /// `False` is `False`. Other values have no identity a template can see, so `is` is false for them.
    func isSame(as other: TemplateValue) -> Bool {
        switch (self, other) {
        case (.null, .null): true
        case (.bool(let left), .bool(let right)): left == right
        default: false
        }
    }

    /// Whether `{% if %}` treats the value as true: empty, zero, null and false are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let flag): flag
        case .int(let number): number != 0
        case .double(let number): number != 0
        case .string(let text), .safeString(let text): !text.isEmpty
        case .date: true
        case .array(let items): !items.isEmpty
        case .dictionary(let entries): !entries.isEmpty
        }
    }

    /// The shortest text that reads back as `number`, never in scientific notation (`1e16` prints
    /// `10000000000000000`, `1e-05` prints `0.00001`), as Django prints a float.
    static func plainDecimal(_ number: Double) -> String {
        let text = String(number)
        guard number.isFinite, let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...]) else {
            return text
        }
        var mantissa = String(text[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa.removeFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        let digits = whole + fraction
        let point = whole.count + exponent  // where the decimal point falls in `digits`
        var result: String
        if point <= 0 {
            result = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            result = digits + String(repeating: "0", count: point - digits.count)
        } else {
            result = String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        if result.contains(".") {
            while result.hasSuffix("0") { result.removeLast() }
            if result.hasSuffix(".") { result.removeLast() }
        }
        return (negative ? "-" : "") + result
    }

    /// A dictionary of strings (form values, field errors).
    public init(_ strings: [String: String]) {
        self = .dictionary(strings.mapValues { .string($0) })
    }

    /// The value at `path` through nested dictionaries (`["fields", "title"]`), or nil.
    public func member(path: [String]) -> TemplateValue? {
        var value = self
        for key in path {
            guard case .dictionary(let entries) = value, let next = entries[key] else { return nil }
            value = next
        }
        return value
    }

    /// Whether the value is text already marked safe for HTML.
    public var isSafe: Bool {
        if case .safeString = self { return true }
        return false
    }

    /// The value as plain text, the way `{{ }}` prints it before any escaping.
    public var text: String {
        switch self {
        case .null: ""
        case .bool(let flag): flag ? "True" : "False"
        case .int(let number): String(number)
        case .double(let number): TemplateValue.plainDecimal(number)
        case .string(let text), .safeString(let text): text
        case .date(let date): DateFormat.iso8601(date)
        case .array(let items): "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .dictionary(let entries):
            "{" + entries.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.text)" }
                .joined(separator: ", ") + "}"
        }
    }

    /// The value as a number, when it is one (or is text that spells one).
    var number: Double? {
        switch self {
        case .int(let number): Double(number)
        case .double(let number): number
        case .bool(let flag): flag ? 1 : 0
        case .string(let text), .safeString(let text):
            Double(text.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    /// The value as an integer, when it is one (or is text that spells one).
    var integer: Int? {
        switch self {
        case .int(let number): number
        case .double(let number): number.isFinite && abs(number) < 9e18 ? Int(number) : nil
        case .bool(let flag): flag ? 1 : 0
        case .string(let text), .safeString(let text): Int(text.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    /// The number of elements, characters or entries, as the `length` filter reports it.
    var count: Int {
        switch self {
        case .string(let text), .safeString(let text): text.count
        case .array(let items): items.count
        case .dictionary(let entries): entries.count
        default: 0
        }
    }

    /// The elements `{% for %}` visits: array elements, dictionary keys (sorted), characters.
    var iterationElements: [TemplateValue] {
        switch self {
        case .array(let items): items
        case .dictionary(let entries): entries.keys.sorted().map { .string($0) }
        case .string(let text), .safeString(let text): text.map { .string(String($0)) }
        default: []
        }
    }
}
