import Foundation

extension BuiltinFilters {
    static let values: [String: TemplateFilter] = [
        "default": TemplateFilter(.required) { value, argument, _ in value.isTruthy ? value : argument ?? .null },
        "default_if_none": TemplateFilter(.required) { value, argument, _ in value == .null ? argument ?? .null : value },
        "length": TemplateFilter(.none) { value, _, _ in .int(value.count) },
        "first": TemplateFilter(.none) { value, _, _ in
            switch value {
            case .array(let items): items.first ?? .string("")
            case .string(let text), .safeString(let text): keepingSafety(value, text.first.map(String.init) ?? "")
            default: .string("")
            }
        },
        "last": TemplateFilter(.none) { value, _, _ in
            switch value {
            case .array(let items): items.last ?? .string("")
            case .string(let text), .safeString(let text): keepingSafety(value, text.last.map(String.init) ?? "")
            default: .string("")
            }
        },
        "pluralize": TemplateFilter(.optional) { value, argument, _ in
            let suffixes = (argument?.text ?? "s").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard suffixes.count <= 2 else { return .string("") }
            let singular = suffixes.count == 2 ? suffixes[0] : ""
            let plural = suffixes.count == 2 ? suffixes[1] : suffixes[0]
            let count: Double
            switch value {
            case .array, .dictionary: count = Double(value.count)
            default:
                guard let number = value.number else { return .string("") }
                count = number
            }
            return .string(count == 1 ? singular : plural)
        },
        "floatformat": TemplateFilter(.optional) { value, argument, _ in
            guard let number = value.number else { return .string("") }
            guard number.isFinite else { return .string(value.text) }
            // Django's suffixes: `g` groups thousands by the locale, `u` does not localise; together
            // (`gu`) Django falls back to NUMBER_GROUPING, 0 by default: no grouping.
            var spec = argument?.text ?? "-1"
            var grouping = false
            if spec.hasSuffix("gu") || spec.hasSuffix("ug") {
                spec.removeLast(2)
            } else if spec.hasSuffix("g") {
                grouping = true
                spec.removeLast()
            } else if spec.hasSuffix("u") {
                spec.removeLast()
            }
            if spec.isEmpty { spec = "-1" }
            guard let requested = Int(spec.trimmingCharacters(in: .whitespaces)) else { return .string(value.text) }  // as Django
            let text = floatFormat(number, places: max(-20, min(20, requested)))
            return .string(grouping ? groupedThousands(text) : text)
        },
        "yesno": TemplateFilter(.optional) { value, argument, _ in
            let choices = (argument?.text ?? "yes,no,maybe").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard choices.count >= 2 else { return value }
            if value == .null { return .string(choices.count > 2 ? choices[2] : choices[1]) }
            return .string(value.isTruthy ? choices[0] : choices[1])
        },
        "add": TemplateFilter(.required) { value, argument, _ in
            guard let argument else { return value }
            return add(value, argument)
        },
        "divisibleby": TemplateFilter(.required) { value, argument, _ in
            guard let number = value.integer, let divisor = argument?.integer, divisor != 0 else { return .bool(false) }
            // Int.min % -1 overflows: reporting arithmetic, as the value may come from a string.
            return .bool(number.remainderReportingOverflow(dividingBy: divisor).partialValue == 0)
        },
        "slice": TemplateFilter(.required) { value, argument, _ in
            slice(value, argument?.text ?? ":")
        },
    ]

    /// Django's `add`: integers add (also when spelled as text), numbers add, strings and lists
    /// concatenate; anything else gives the empty string.
    static func add(_ value: TemplateValue, _ argument: TemplateValue) -> TemplateValue {
        switch (value, argument) {
        case (.array(let left), .array(let right)): return .array(left + right)
        case (.double, _), (_, .double):
            if let left = value.number, let right = argument.number { return .double(left + right) }
        default:
            if let left = value.integer, let right = argument.integer {
                let (sum, overflow) = left.addingReportingOverflow(right)
                return overflow ? .double(Double(left) + Double(right)) : .int(sum)
            }
        }
        switch (value, argument) {
        case (.string(let left), .string(let right)), (.string(let left), .safeString(let right)),
             (.safeString(let left), .string(let right)):
            return .string(left + right)
        case (.safeString(let left), .safeString(let right)):
            return .safeString(left + right)
        default:
            return .string("")
        }
    }

    /// Django's `floatformat`: `places` decimals, or with a negative count only when there is a
    /// fractional part; rounds half away from zero on the decimal representation.
    static func floatFormat(_ number: Double, places: Int) -> String {
        let digits = places < 0 && number == number.rounded(.towardZero) ? 0 : abs(places)
        guard var decimal = Decimal(string: String(number)), abs(number) < 1e30 else {
            return String(format: "%.\(digits)f", number)
        }
        var rounded = Decimal()
        NSDecimalRound(&rounded, &decimal, digits, .plain)
        var text = rounded.isZero ? "0" : NSDecimalNumber(decimal: rounded).stringValue
        guard digits > 0 else { return text }
        var fraction = ""
        if let dot = text.firstIndex(of: ".") {
            fraction = String(text[text.index(after: dot)...])
            text = String(text[..<dot])
        }
        if rounded.isZero && number < 0 { text = "0" }
        return text + "." + fraction + String(repeating: "0", count: max(0, digits - fraction.count))
    }

    /// `1234567.5` as `1,234,567.5`: commas every three digits of the whole part.
    static func groupedThousands(_ text: String) -> String {
        let negative = text.hasPrefix("-")
        let unsigned = negative ? String(text.dropFirst()) : text
        let whole = unsigned.prefix { $0 != "." }
        let rest = unsigned.dropFirst(whole.count)
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (negative ? "-" : "") + grouped + rest
    }

    /// Python-style slicing `start:end` of an array or a string.
    static func slice(_ value: TemplateValue, _ spec: String) -> TemplateValue {
        let bounds = spec.split(separator: ":", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        /// The indices of Python's `sequence[start:stop:step]` for a sequence of `count` elements.
        func indices(_ count: Int) -> [Int] {
            if bounds.count == 1 {
                guard let stop = bounds[0] else { return Array(0..<count) }
                return Array(0..<max(0, min(count, stop < 0 ? count + stop : stop)))
            }
            let step = bounds.count > 2 ? (bounds[2] ?? 1) : 1
            guard step != 0 else { return [] }  // Python raises; Django leaves the value alone, as below
            func adjust(_ index: Int?, _ fallback: Int, low: Int, high: Int) -> Int {
                guard var index else { return fallback }
                if index < 0 { index += count }
                return max(low, min(high, index))
            }
            if step > 0 {
                let start = adjust(bounds[0], 0, low: 0, high: count)
                let stop = adjust(bounds.count > 1 ? bounds[1] : nil, count, low: 0, high: count)
                return Array(stride(from: start, to: stop, by: step))
            }
            let start = adjust(bounds[0], count - 1, low: -1, high: count - 1)
            let stop = adjust(bounds.count > 1 ? bounds[1] : nil, -1, low: -1, high: count - 1)
            return Array(stride(from: start, to: stop, by: step))
        }
        if bounds.count > 2, bounds[2] == 0 { return value }
        switch value {
        case .array(let items): return .array(indices(items.count).map { items[$0] })
        case .string(let text), .safeString(let text):
            let characters = Array(text)
            return keepingSafety(value, String(indices(characters.count).map { characters[$0] }))
        default: return value
        }
    }
}
