#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// IMF-fixdate formatting and parsing (RFC 9110 §5.6.7), e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
public enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formats seconds since the Unix epoch as an IMF-fixdate.
    public static func format(epochSeconds: Int) -> String {
        var time = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(Int(parts.tm_year) + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// Parses an IMF-fixdate into seconds since the epoch; nil for any other form.
    ///
    /// The text comes from clients (`If-Modified-Since`, `If-Range`), so every field is checked against its
    /// IMF-fixdate shape and range (RFC 9110 §5.6.7: `day` is 2DIGIT, `year` 4DIGIT, `hour:minute:second`
    /// 2DIGIT each) before any conversion: `Int32(99999999999)` would trap. An invalid date is ignored.
    public static func parse(_ text: some StringProtocol) -> Int? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = digits(parts[1], count: 2), (1...31).contains(day),
              let month = months.firstIndex(of: String(parts[2])), let year = digits(parts[3], count: 4) else { return nil }
        let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, let hour = digits(clock[0], count: 2), hour <= 23,
              let minute = digits(clock[1], count: 2), minute <= 59,
              let second = digits(clock[2], count: 2), second <= 60 else { return nil }
        var value = tm()
        value.tm_year = Int32(year - 1900)
        value.tm_mon = Int32(month)
        value.tm_mday = Int32(day)
        value.tm_hour = Int32(hour)
        value.tm_min = Int32(minute)
        value.tm_sec = Int32(second)
        return Int(timegm(&value))
    }

    /// Exactly `count` ASCII digits as a number, else nil.
    private static func digits(_ text: some StringProtocol, count: Int) -> Int? {
        guard text.utf8.count == count else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The current time in whole seconds since the epoch.
    public static func nowEpochSeconds() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int(spec.tv_sec)
    }
}

/// Monotonic time in nanoseconds, for timeouts and durations.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
