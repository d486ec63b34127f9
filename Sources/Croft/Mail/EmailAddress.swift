/// A mailbox: an address and an optional display name (`Ada Lovelace <ada@example.com>`).
///
/// Checked when made: no line breaks, NUL, `<`, `>`, `,` or spaces in the address, one `@` with text on
/// both sides, so neither a header nor an SMTP command can be smuggled through it (libcurl passes an
/// envelope address to the server as it is).
public struct EmailAddress: Codable, Sendable, Hashable, CustomStringConvertible {
    /// `local@domain`.
    public let address: String
    /// The name shown by mail clients; may be empty.
    public let name: String

    /// A mailbox from an address and a display name.
    public init(_ address: String, name: String = "") throws(MailError) {
        let address = address.trimmingCharacters(in: .whitespaces)
        guard Self.isAddress(address) else { throw .invalidAddress(address) }
        guard !name.contains(where: { $0.isNewline || $0 == "\0" }), name.count <= 200 else {
            throw .invalidAddress(name + " <" + address + ">")
        }
        self.address = address
        self.name = name.trimmingCharacters(in: .whitespaces)
    }

    /// Reads `ada@example.com` or `Ada Lovelace <ada@example.com>` (a quoted name too: `"Lovelace, Ada" <…>`).
    public init(parsing text: String) throws(MailError) {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard text.hasSuffix(">"), let open = text.lastIndex(of: "<") else {
            try self.init(text)
            return
        }
        var name = text[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
            name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
                .replacingOccurrences(of: "\\\\", with: "\\")
        }
        try self.init(String(text[text.index(after: open)..<text.index(before: text.endIndex)]), name: name)
    }

    /// `Name <address>` or the bare address, unencoded (for logs and the console backend).
    public var description: String { name.isEmpty ? address : "\(name) <\(address)>" }

    /// The part after `@`.
    public var domain: String { String(address[address.index(after: address.lastIndex(of: "@")!)...]) }

    /// The mailbox as a header writes it: an encoded word for a name that is not ASCII, a quoted string
    /// for one with specials (RFC 5322 §3.4), the address in angle brackets.
    var headerValue: String {
        guard !name.isEmpty else { return address }
        if !name.allSatisfy(\.isASCII) { return MIMEEncoding.encodedWords(name) + " <\(address)>" }
        let atext = name.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || " !#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
        }
        if atext { return "\(name) <\(address)>" }
        let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(quoted)\" <\(address)>"
    }

    /// Whether `address` is one this type accepts: what account pages check, so an account's email is always
    /// one the mailer can send to. ASCII only (an internationalised address needs SMTPUTF8, not supported).
    public static func isAddress(_ address: String) -> Bool {
        guard address.allSatisfy(\.isASCII) else { return false }
        guard address.utf8.count <= 320, let at = address.lastIndex(of: "@") else { return false }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty, local.utf8.count <= 64 else { return false }
        let forbidden: Set<Character> = ["<", ">", ",", ";", " ", "\t", "\0", "(", ")", "[", "]", "\\", "\""]
        return !address.contains { $0.isNewline || $0.isWhitespace || forbidden.contains($0) || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }
            && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }
}
