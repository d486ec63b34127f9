import Croft
import Foundation

/// `/staff/audit`: the audit log, newest first, filtered by actor, action and dates, 50 events a page.
enum StaffAuditController {
    static let perPage = 50

    @Sendable static func events(_ request: Request) async throws -> Response {
        let actor = (request.query["actor"] ?? "").trimmingCharacters(in: .whitespaces)
        let action = request.query["action"] ?? ""
        let from = request.query["from"] ?? ""
        let to = request.query["to"] ?? ""
        let pageNumber = try request.queryValue("page", as: Int.self) ?? 1
        guard action.isEmpty || AuditAction(rawValue: action) != nil else {
            throw HTTPError(.badRequest, message: "Unknown action '\(action)'.")
        }
        func day(_ text: String, name: String) throws -> Date? {
            guard !text.isEmpty else { return nil }
            guard let date = Self.day(text) else {
                throw HTTPError(.badRequest, message: "'\(name)' must be a date as YYYY-MM-DD.")
            }
            return date
        }
        let start = try day(from, name: "from")
        let end = try day(to, name: "to").map { $0.addingTimeInterval(86_400) }  // the whole day
        var query = AuditEvent.query()
        if !actor.isEmpty {
            query = query.where("actor_email LIKE ? ESCAPE '\\'", "%" + StaffController.escapeLike(actor) + "%")
        }
        if !action.isEmpty { query = query.where("action = ?", action) }
        if let start { query = query.where("created_at >= ?", start) }
        if let end { query = query.where("created_at < ?", end) }
        let filtered = query.order("created_at DESC, id DESC")
        let page = try await request.db.read { db in try filtered.page(pageNumber, perPage: perPage, in: db) }
        guard pageNumber >= 1, pageNumber <= max(page.totalPages, 1) else {
            throw HTTPError(.notFound, message: "There is no page \(pageNumber) of events.")
        }
        return try StaffController.render(request, "staff/audit.html", [
            "events": .array(page.items.map(\.templateValue)), "page": ["number": .int(page.number), "total_pages": .int(page.totalPages), "count": .int(page.totalCount),
                     "has_previous": .bool(page.hasPrevious), "has_next": .bool(page.hasNext)],
            "actor": .string(actor), "action": .string(action), "from": .string(from), "to": .string(to),
            "actions": .array(AuditAction.allCases.map { .string($0.rawValue) }),
        ], section: "staff.audit")
    }

    /// Midnight UTC of `YYYY-MM-DD`, nil for anything else (including 2026-02-30).
    static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let dayOfMonth = Int(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: dayOfMonth)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }
}
