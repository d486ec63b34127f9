import Foundation

/// Django's date format characters (`Y-m-d H:i`, `N j, Y`...), with `\` escaping the next one.
///
/// https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date
enum DateFormat {
    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                                     "August", "September", "October", "November", "December"]
    /// Associated Press style abbreviations, as Django's `N`.
    private static let apMonths = ["Jan.", "Feb.", "March", "April", "May", "June", "July",
                                   "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
    private static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Formats `date` in `calendar`'s time zone.
    /// Whether `zone` is UTC (Foundation names it "GMT" on Linux).
    static func isUTC(_ zone: TimeZone) -> Bool {
        (zone.identifier == "UTC" || zone.identifier == "GMT") && zone.secondsFromGMT() == 0
    }

    static func format(_ date: Date, _ format: String, calendar: Calendar) -> String {
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second, .weekday, .nanosecond], from: date)
        let year = parts.year ?? 1970, month = parts.month ?? 1, day = parts.day ?? 1
        let hour = parts.hour ?? 0, minute = parts.minute ?? 0, second = parts.second ?? 0
        let weekday = (parts.weekday ?? 1) - 1
        let hour12 = hour % 12 == 0 ? 12 : hour % 12
        let offset = calendar.timeZone.secondsFromGMT(for: date)
        var output = ""
        var escaped = false
        for character in format {
            if escaped {
                output.append(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "a": output += hour < 12 ? "a.m." : "p.m."
            case "A": output += hour < 12 ? "AM" : "PM"
            case "b": output += monthNames[month - 1].prefix(3).lowercased()
            case "c": output += iso8601(date, calendar: calendar)
            case "d": output += pad(day)
            case "D": output += dayNames[weekday].prefix(3)
            case "E", "F": output += monthNames[month - 1]
            case "f": output += minute == 0 ? String(hour12) : "\(hour12):\(pad(minute))"
            case "g": output += String(hour12)
            case "G": output += String(hour)
            case "h": output += pad(hour12)
            case "H": output += pad(hour)
            case "i": output += pad(minute)
            case "j": output += String(day)
            case "l": output += dayNames[weekday]
            case "L": output += isLeap(year) ? "True" : "False"
            case "m": output += pad(month)
            case "M": output += monthNames[month - 1].prefix(3)
            case "n": output += String(month)
            case "N": output += apMonths[month - 1]
            case "O": output += offsetText(offset, separator: "")
            case "P":
                if minute == 0 && hour == 0 { output += "midnight" }
                else if minute == 0 && hour == 12 { output += "noon" }
                else { output += (minute == 0 ? String(hour12) : "\(hour12):\(pad(minute))") + (hour < 12 ? " a.m." : " p.m.") }
            case "r":
                output += "\(dayNames[weekday].prefix(3)), \(pad(day)) \(monthNames[month - 1].prefix(3)) \(year) "
                    + "\(pad(hour)):\(pad(minute)):\(pad(second)) \(offsetText(offset, separator: ""))"
            case "s": output += pad(second)
            case "S": output += ordinalSuffix(day)
            case "t": output += String(calendar.range(of: .day, in: .month, for: date)?.count ?? 30)
            // UTC is "UTC" by name, as Django shows it (Foundation calls it "GMT").
            case "T": output += isUTC(calendar.timeZone) ? "UTC" : calendar.timeZone.abbreviation(for: date) ?? "UTC"
            case "u": output += pad((parts.nanosecond ?? 0) / 1000, width: 6)
            case "U": output += Int(exactly: date.timeIntervalSince1970.rounded(.down)).map(String.init) ?? "0"
            case "w": output += String(weekday)
            case "W":
                var iso = Calendar(identifier: .iso8601)
                iso.timeZone = calendar.timeZone
                output += String(iso.component(.weekOfYear, from: date))
            case "y": output += pad(year % 100)
            case "Y": output += String(year)
            case "z": output += String(calendar.ordinality(of: .day, in: .year, for: date) ?? 1)
            case "Z": output += String(offset)
            case "e": output += isUTC(calendar.timeZone) ? "UTC" : calendar.timeZone.identifier
            case "o":  // the ISO-8601 week-numbering year (the year of the week "W" counts)
                var iso = Calendar(identifier: .iso8601)
                iso.timeZone = calendar.timeZone
                output += String(iso.component(.yearForWeekOfYear, from: date))
            case "I": output += calendar.timeZone.isDaylightSavingTime(for: date) ? "1" : "0"
            default: output.append(character)
            }
        }
        return output
    }

    /// `2026-11-22T03:04:05+00:00`, in UTC.
    static func iso8601(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return iso8601(date, calendar: calendar)
    }

    private static func iso8601(_ date: Date, calendar: Calendar) -> String {
        format(date, "Y-m-d\\TH:i:s", calendar: calendar)
            + offsetText(calendar.timeZone.secondsFromGMT(for: date), separator: ":")
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS` and the same with `Z` or an offset.
    static func parseISO8601(_ text: String) -> Date? {
        let digits = text.unicodeScalars.map { $0.properties.numericType != nil && $0.isASCII ? Int($0.value) - 48 : -1 }
        func number(_ start: Int, _ length: Int) -> Int? {
            guard start + length <= digits.count else { return nil }
            var value = 0
            for index in start..<(start + length) {
                guard digits[index] >= 0 else { return nil }
                value = value * 10 + digits[index]
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var parts = DateComponents(year: year, month: month, day: day)
        var zone = TimeZone(secondsFromGMT: 0)!
        if digits.count >= 19, let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) {
            parts.hour = hour
            parts.minute = minute
            parts.second = second
            let scalars = Array(text.unicodeScalars)
            if let signIndex = scalars.indices.dropFirst(19).first(where: { scalars[$0] == "+" || scalars[$0] == "-" }),
               let offsetHours = number(signIndex + 1, 2) {
                let offsetMinutes = number(signIndex + 4, 2) ?? number(signIndex + 3, 2) ?? 0
                let seconds = (offsetHours * 3600 + offsetMinutes * 60) * (scalars[signIndex] == "-" ? -1 : 1)
                zone = TimeZone(secondsFromGMT: seconds) ?? zone
            }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: parts)
    }

    private static func pad(_ number: Int, width: Int = 2) -> String {
        let text = String(number)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func offsetText(_ seconds: Int, separator: String) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        return sign + pad(minutes / 60) + separator + pad(minutes % 60)
    }

    private static func ordinalSuffix(_ day: Int) -> String {
        if (11...13).contains(day % 100) { return "th" }
        switch day % 10 {
        case 1: return "st"
        case 2: return "nd"
        case 3: return "rd"
        default: return "th"
        }
    }

    private static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }
}
