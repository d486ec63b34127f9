import Foundation

/// A 5-field cron schedule (`minute hour day-of-month month day-of-week`), evaluated in UTC.
///
/// Each field takes `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, and comma-separated lists of
/// these. Day of week is 0–6 from Sunday (7 is Sunday too). As in cron, when both day fields are
/// restricted a day matches if either does. https://man7.org/linux/man-pages/man5/crontab.5.html
///
/// ```swift
/// let nightly = try CronSchedule("0 3 * * *")    // 03:00 UTC every day
/// let next = nightly.nextDate(after: Date())
/// ```
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    /// The expression as given.
    public let expression: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Parses `expression`; throws ``JobError/invalidSchedule(expression:reason:)`` naming the bad field.
    public init(_ expression: String) throws {
        self.expression = expression
        let fields = expression.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw JobError.invalidSchedule(expression: expression, reason: "expected 5 fields, found \(fields.count)")
        }
        func parse(_ index: Int, _ name: String, _ range: ClosedRange<Int>) throws -> Set<Int> {
            do { return try Self.parseField(fields[index], range: range) } catch {
                throw JobError.invalidSchedule(expression: expression, reason: "\(name) field '\(fields[index])': \(error.reason)")
            }
        }
        minutes = try parse(0, "minute", 0...59)
        hours = try parse(1, "hour", 0...23)
        daysOfMonth = try parse(2, "day-of-month", 1...31)
        months = try parse(3, "month", 1...12)
        daysOfWeek = Set(try parse(4, "day-of-week", 0...7).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    public var description: String { expression }

    /// Why one field did not parse.
    struct FieldError: Error {
        let reason: String
    }

    static func parseField(_ field: String, range: ClosedRange<Int>) throws(FieldError) -> Set<Int> {
        var values = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw FieldError(reason: "too many '/'") }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else { throw FieldError(reason: "step '\(pieces[1])' is not a positive number") }
                step = value
            }
            let base = pieces[0]
            var low = range.lowerBound, high = range.upperBound
            if base != "*" {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, let first = Int(bounds[0]) else { throw FieldError(reason: "'\(base)' is not a number or range") }
                low = first
                high = bounds.count == 2 ? (Int(bounds[1]) ?? -1) : (pieces.count == 2 ? range.upperBound : first)
                guard range.contains(low), range.contains(high), low <= high else {
                    throw FieldError(reason: "'\(base)' is outside \(range.lowerBound)-\(range.upperBound)")
                }
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Whether the minute containing `date` matches.
    public func matches(_ date: Date) -> Bool {
        let parts = Self.calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: date)
        guard let minute = parts.minute, let hour = parts.hour, let day = parts.day, let month = parts.month,
              let weekday = parts.weekday else { return false }
        guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
        let dayOfMonth = daysOfMonth.contains(day)
        let dayOfWeek = daysOfWeek.contains(weekday - 1)
        if dayOfMonthRestricted && dayOfWeekRestricted { return dayOfMonth || dayOfWeek }
        return dayOfMonth && dayOfWeek
    }

    /// The first matching minute strictly after `date` (searching up to about four years ahead).
    public func nextDate(after date: Date) -> Date? {
        var minute = (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        for _ in 0..<(4 * 366 * 24 * 60) {
            let candidate = Date(timeIntervalSince1970: minute)
            if matches(candidate) { return candidate }
            minute += 60
        }
        return nil
    }
}

