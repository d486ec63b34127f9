import Foundation

/// Formats and parses the ISO-8601 UTC text CroftSQL stores dates as, without `DateFormatter`.
///
/// Written by hand because formatters are slow and not thread-safe to share; the format is fixed:
/// `YYYY-MM-DDTHH:MM:SS.sssZ`. Parsing also accepts a space for `T`, no fraction, and no `Z`
/// (SQLite's `CURRENT_TIMESTAMP` writes `YYYY-MM-DD HH:MM:SS`, in UTC).
enum SQLDateFormat {
    /// The stored text for a date, rounded to the millisecond.
    static func string(from date: Date) -> String {
        // A date read back from a tampered REAL column (1e300, nan) must not trap: clamp to years 0-9999.
        let interval = date.timeIntervalSince1970
        let clamped = interval.isFinite ? min(max(interval * 1000, -62_167_219_200_000), 253_402_300_799_999) : 0
        let totalMilliseconds = Int64(clamped.rounded())
        var seconds = totalMilliseconds / 1000
        var milliseconds = totalMilliseconds % 1000
        if milliseconds < 0 {
            milliseconds += 1000
            seconds -= 1
        }
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var text = ""
        text.reserveCapacity(24)
        append(Int(parts.tm_year) + 1900, digits: 4, to: &text)
        text.append("-")
        append(Int(parts.tm_mon) + 1, digits: 2, to: &text)
        text.append("-")
        append(Int(parts.tm_mday), digits: 2, to: &text)
        text.append("T")
        append(Int(parts.tm_hour), digits: 2, to: &text)
        text.append(":")
        append(Int(parts.tm_min), digits: 2, to: &text)
        text.append(":")
        append(Int(parts.tm_sec), digits: 2, to: &text)
        text.append(".")
        append(Int(milliseconds), digits: 3, to: &text)
        text.append("Z")
        return text
    }

    /// Parses stored text back into a date, or `nil` when it is not in a known shape.
    static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10 else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes[4] == 45, let month = number(5, 2), bytes[7] == 45,
              let day = number(8, 2) else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var index = 10
        if bytes.count > 10 {
            guard bytes[10] == 84 || bytes[10] == 32, let h = number(11, 2), bytes.count > 13, bytes[13] == 58,
                  let m = number(14, 2) else { return nil }
            hour = h
            minute = m
            index = 16
            if bytes.count > 16, bytes[16] == 58 {
                guard let s = number(17, 2) else { return nil }
                second = s
                index = 19
                if bytes.count > 19, bytes[19] == 46 {
                    index = 20
                    var digits = 0.0
                    var scale = 1.0
                    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                        digits = digits * 10 + Double(bytes[index] - 48)
                        scale *= 10
                        index += 1
                    }
                    fraction = digits / scale
                }
            }
            if index < bytes.count {
                guard bytes[index] == 90, index == bytes.count - 1 else { return nil }
            }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func append(_ value: Int, digits: Int, to text: inout String) {
        let string = String(value)
        if string.count < digits { text.append(String(repeating: "0", count: digits - string.count)) }
        text.append(string)
    }
}
