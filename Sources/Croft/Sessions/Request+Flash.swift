import Foundation

/// A message shown once on the next page (after a redirect), like Django's messages framework.
public struct FlashMessage: Codable, Sendable, Equatable {
    /// `success`, `info`, `warning` or `error`; used as a CSS class.
    public var level: String
    /// The text.
    public var text: String

    /// A message.
    public init(level: String, text: String) {
        self.level = level
        self.text = text
    }
}

extension Request {
    static let flashKey = "_messages"
    /// Messages kept for the next page: a client that never follows its redirects would otherwise grow the
    /// session row (decoded and rewritten on every request) until SQLite refuses it.
    static let maxFlashMessages = 10

    /// Queues a message for the next rendered page (it survives one redirect); the newest ten are kept.
    public func flash(_ text: String, level: String = "success") {
        guard let session else { return }
        var messages = (session[Self.flashKey].flatMap { try? JSONDecoder().decode([FlashMessage].self, from: Data($0.utf8)) }) ?? []
        messages.append(FlashMessage(level: level, text: text))
        if messages.count > Self.maxFlashMessages { messages.removeFirst(messages.count - Self.maxFlashMessages) }
        session[Self.flashKey] = String(decoding: (try? JSONEncoder().encode(messages)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// Takes the queued messages (they are shown once).
    public func takeFlashMessages() -> [FlashMessage] {
        guard let text = session?.pop(Self.flashKey) else { return [] }
        return (try? JSONDecoder().decode([FlashMessage].self, from: Data(text.utf8))) ?? []
    }

    /// `next` if it is a local path (`/notes?page=2`), else `fallback`: never an open redirect.
    public static func safeRedirectTarget(_ next: String?, fallback: String = "/") -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"),
              !next.contains("\r"), !next.contains("\n"), !next.unicodeScalars.contains(where: { $0.value < 32 }) else {
            return fallback
        }
        return next
    }
}
