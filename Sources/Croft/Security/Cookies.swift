import Foundation

extension Request {
    /// The cookies the client sent (`Cookie: a=1; b=2`); the first value wins for repeated names.
    ///
    /// Split at the bytes `;` and `=` (RFC 6265 §5.4), not at Characters: a `;` followed by a combining mark
    /// is one grapheme with it, and splitting Characters read `a=1;\u{301}croft_session=x` as one cookie
    /// where a browser or a proxy sees two (found by fuzzing).
    public var cookies: [String: String] {
        var result: [String: String] = [:]
        for header in headers.values(for: "Cookie") {
            for pair in header.utf8.split(separator: UInt8(ascii: ";")) {
                let trimmed = Self.trimmingSpaces(pair)
                guard let equals = trimmed.firstIndex(of: UInt8(ascii: "=")) else { continue }
                let name = String(decoding: trimmed[..<equals], as: UTF8.self)
                var value = trimmed[trimmed.index(after: equals)...]
                if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                    value = value.dropFirst().dropLast()
                }
                if result[name] == nil { result[name] = String(decoding: value, as: UTF8.self) }
            }
        }
        return result
    }

    /// `bytes` without leading and trailing spaces and tabs.
    private static func trimmingSpaces(_ bytes: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[bytes.startIndex..<bytes.startIndex]
        }
        return bytes[first...last]
    }
}

/// A `Set-Cookie` header value (RFC 6265 §4.1).
public struct SetCookie: Sendable, Equatable {
    /// `SameSite` policies.
    public enum SameSite: String, Sendable {
        case strict = "Strict", lax = "Lax", none = "None"
    }

    /// The cookie name.
    public var name: String
    /// The cookie value (must be cookie-octets: no spaces, quotes, commas, semicolons or backslashes).
    public var value: String
    /// `Path`; `/` by default.
    public var path: String = "/"
    /// `Max-Age` in seconds; nil for a session cookie, 0 to delete.
    public var maxAge: Int?
    /// `HttpOnly`: hidden from scripts.
    public var httpOnly = true
    /// `Secure`: only sent over HTTPS.
    public var secure = false
    /// `SameSite`.
    public var sameSite: SameSite? = .lax

    /// A cookie with the safe defaults: `Path=/`, `HttpOnly`, `SameSite=Lax`.
    public init(name: String, value: String, maxAge: Int? = nil, secure: Bool = false) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.secure = secure
    }

    /// The header value.
    public var headerValue: String {
        var parts = ["\(name)=\(value)", "Path=\(path)"]
        if let maxAge {
            parts.append("Max-Age=\(maxAge)")
            let expires = maxAge <= 0 ? 0 : HTTPDate.nowEpochSeconds() + maxAge
            parts.append("Expires=\(HTTPDate.format(epochSeconds: expires))")
        }
        if httpOnly { parts.append("HttpOnly") }
        if secure { parts.append("Secure") }
        if let sameSite { parts.append("SameSite=\(sameSite.rawValue)") }
        return parts.joined(separator: "; ")
    }
}

extension Response {
    /// Adds a `Set-Cookie` header.
    public mutating func setCookie(_ cookie: SetCookie) {
        headers.add(name: "Set-Cookie", value: cookie.headerValue)
    }
}
