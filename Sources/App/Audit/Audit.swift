import Croft
import Foundation

/// Records what people do, in the transaction that does it: an event exists if and only if its change
/// committed.
///
/// ```swift
/// try await request.db.write { db in
///     try user.updated(db)
///     try Audit.record(.passwordChanged, actor: user, target: user.email, request: request, in: db)
/// }
/// ```
public enum Audit {
    /// Writes one event. `actor` is the signed-in user who acted (nil for a visitor: then `actorEmail` is what
    /// they typed, if anything); the client address and user agent come from `request`.
    public static func record(_ action: AuditAction, actor: User?, actorEmail: String? = nil, target: String = "",
                       request: Request?, details: [String: String] = [:], in db: Connection) throws {
        var event = AuditEvent(
            actorID: actor?.id, actorEmail: String((actor?.email ?? actorEmail ?? "").prefix(320)), action: action.rawValue,
            target: String(target.prefix(500)), clientAddress: request.map(clientAddress) ?? "",
            userAgent: String((request?.headers["User-Agent"] ?? "").prefix(500)), details: json(details))
        try event.insert(db)
    }

    /// How many `action` events on `target` happened since `since`; with `sentOnly`, only those whose details
    /// say an email went (`"sent": "yes"`): what per-email limits count, so requests that sent nothing cannot
    /// use up someone's allowance.
    public static func count(_ action: AuditAction, target: String, since: Date, sentOnly: Bool = false, in db: Connection) throws -> Int {
        var query = AuditEvent.query().where("action = ? AND target = ? AND created_at >= ?", action.rawValue, target, since)
        if sentOnly { query = query.where("json_extract(details, '$.sent') = 'yes'") }
        return try query.count(db)
    }

    /// Deletes events older than `days` days; returns how many went.
    public static func purge(olderThanDays days: Int, now: Date = Date(), in db: Connection) throws -> Int {
        try db.execute("DELETE FROM audit_events WHERE created_at < ?", now.addingTimeInterval(-Double(days) * 86_400))
        return db.changes
    }

    private static func clientAddress(_ request: Request) -> String {
        request.clientAddress(trustedProxies: request.application.settings.trustedProxies)
    }

    /// A JSON object of the details, keys in order.
    static func json(_ details: [String: String]) -> String {
        guard !details.isEmpty,
              let data = try? JSONSerialization.data(withJSONObject: details, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
