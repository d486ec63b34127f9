import Foundation

/// Django's `time`, `timesince`, `timeuntil`, `stringformat` and `wordwrap`, with Django's output.
extension BuiltinFilters {
    static let djangoMore: [String: TemplateFilter] = [
        "time": TemplateFilter(.optional) { value, argument, context in
            guard let date = instant(value) else { return .string("") }
            return .string(DateFormat.format(date, argument?.text ?? "P", calendar: context.calendar))
        },
        "timesince": TemplateFilter(.optional) { value, argument, context in
            guard let start = instant(value) else { return .string("") }
            let end = argument.flatMap(instant) ?? Date()
            return .string(timeSince(start, end, calendar: context.calendar))
        },
        "timeuntil": TemplateFilter(.optional) { value, argument, context in
            guard let end = instant(value) else { return .string("") }
            let start = argument.flatMap(instant) ?? Date()
            return .string(timeSince(start, end, calendar: context.calendar))
        },
        "stringformat": TemplateFilter(.required) { value, argument, _ in
            .string(printfFormatted(value, spec: argument?.text ?? ""))
        },
        "wordwrap": TemplateFilter(.required) { value, argument, _ in
            guard let width = argument?.integer, width > 0 else { return value }
            return keepingSafety(value, wrapped(value.text, width: width))
        },
    ]

    /// A date from a date value, ISO-8601 text or seconds since 1970.
    static func instant(_ value: TemplateValue) -> Date? {
        switch value {
        case .date(let date): date
        case .string(let text), .safeString(let text): DateFormat.parseISO8601(text)
        case .int(let seconds): Date(timeIntervalSince1970: TimeInterval(seconds))
        default: nil
        }
    }

    /// Django 5.2's `timesince(d, now)`: years and months by the calendar (from a pivot `d` moved by
    /// whole months), then weeks, days, hours, minutes; the first two non-zero parts, non-breaking spaces
    /// inside each; `0 minutes` when `now` is not after `d`.
    static func timeSince(_ start: Date, _ end: Date, calendar: Calendar) -> String {
        let zero = "0\u{00A0}minutes"
        guard end.timeIntervalSince(start) >= 1 else { return zero }
        let from = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: start)
        let to = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: end)
        var months = (to.year! - from.year!) * 12 + (to.month! - from.month!)
        let fromTime = (from.hour!, from.minute!, from.second!, from.nanosecond!)
        let toTime = (to.hour!, to.minute!, to.second!, to.nanosecond!)
        if from.day! > to.day! || (from.day! == to.day! && fromTime > toTime) { months -= 1 }
        let (years, monthsLeft) = (months / 12, months % 12)
        var pivot = start
        if years != 0 || monthsLeft != 0 {
            var year = from.year! + years
            var month = from.month! + monthsLeft
            if month > 12 { month -= 12; year += 1 }
            let monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            var components = from
            components.year = year
            components.month = month
            components.day = min(monthDays[month - 1], from.day!)
            pivot = calendar.date(from: components) ?? start
        }
        var remaining = Int(end.timeIntervalSince(pivot))
        var parts = [years, monthsLeft]
        for chunk in [604_800, 86_400, 3_600, 60] {
            parts.append(remaining / chunk)
            remaining -= chunk * (remaining / chunk)
        }
        let names = [("year", "years"), ("month", "months"), ("week", "weeks"), ("day", "days"), ("hour", "hours"), ("minute", "minutes")]
        guard var index = parts.firstIndex(where: { $0 != 0 }) else { return zero }
        var result: [String] = []
        while index < parts.count, result.count < 2, parts[index] != 0 {
            result.append("\(parts[index])\u{00A0}" + (parts[index] == 1 ? names[index].0 : names[index].1))
            index += 1
        }
        return result.joined(separator: ", ")
    }

    /// Python's `"%" + spec % value` for the conversions a template uses (`d i s f F e E g G x X o`, with
    /// flags, width and precision); a value the conversion cannot take gives an empty string, as in Django.
    static func printfFormatted(_ value: TemplateValue, spec: String) -> String {
        guard let conversion = spec.last, "disfFeEgGxXo".contains(conversion) else { return "" }
        let modifiers = String(spec.dropLast())
        guard modifiers.allSatisfy({ "-+ #0.123456789".contains($0) }) else { return "" }
        // A width or precision past the bound is refused rather than padded to (gigabytes of zeros).
        let numbers = modifiers.split(whereSeparator: { !$0.isNumber }).map { Int($0) ?? .max }
        guard numbers.allSatisfy({ $0 <= maximumWidth }) else { return "" }
        switch conversion {
        case "s":
            let text = value.text
            let parts = modifiers.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            let precision = parts.count > 1 ? Int(parts[1]) : nil
            let flags = parts.first.map(String.init) ?? ""
            let width = Int(flags.filter(\.isNumber)) ?? 0
            let shown = precision.map { String(text.prefix($0)) } ?? text
            let padding = String(repeating: " ", count: max(0, width - shown.count))
            return flags.contains("-") ? shown + padding : padding + shown
        case "d", "i", "x", "X", "o":
            guard let number = value.number, number.isFinite, abs(number) < 9e18 else { return "" }
            if case .string = value { return "" }
            if case .safeString = value { return "" }
            let letter = conversion == "i" ? "d" : String(conversion)
            return String(format: "%" + modifiers + "ll" + letter, Int64(number.rounded(.towardZero)))
        default:
            guard let number = value.number else { return "" }
            if case .string = value { return "" }
            if case .safeString = value { return "" }
            return String(format: "%" + modifiers + String(conversion), number)
        }
    }

    /// Django 5.2's `wordwrap` (`textwrap` without breaking long words or hyphens): each line of the text
    /// filled to `width`, whitespace between the words of a wrapped line kept, at the line breaks dropped.
    static func wrapped(_ text: String, width: Int) -> String {
        var lines: [String] = []
        for line in text.components(separatedBy: "\n") {
            var chunks: [String] = []
            var current = ""
            var inSpace = false
            for character in line {
                let isSpace = character == " " || character == "\t"
                if isSpace != inSpace, !current.isEmpty {
                    chunks.append(current)
                    current = ""
                }
                current.append(isSpace ? " " : character)
                inSpace = isSpace
            }
            if !current.isEmpty { chunks.append(current) }
            var wrappedLines: [String] = []
            var building = ""
            for chunk in chunks {
                let isSpace = chunk.first == " "
                if building.isEmpty && isSpace { continue }  // whitespace at a line start is dropped
                if building.count + chunk.count <= width || building.isEmpty {
                    building += chunk
                } else if isSpace {
                    wrappedLines.append(building)
                    building = ""
                } else {
                    wrappedLines.append(building.replacingOccurrences(of: #" +$"#, with: "", options: .regularExpression))
                    building = chunk
                }
            }
            let last = building.replacingOccurrences(of: #" +$"#, with: "", options: .regularExpression)
            if !last.isEmpty || wrappedLines.isEmpty { wrappedLines.append(last) }
            lines.append(contentsOf: wrappedLines)
        }
        return lines.joined(separator: "\n")
    }
}
