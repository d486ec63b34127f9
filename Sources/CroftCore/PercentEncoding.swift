/// RFC 3986 percent-encoding, the one implementation CroftHTTP (forms, URLs) and CroftTemplates (the
/// `urlencode` filter) share.
public enum PercentEncoding {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// `text` with every byte percent-encoded except the unreserved characters (RFC 3986 §2.3:
    /// `A-Z a-z 0-9 - . _ ~`) and the ASCII characters in `keeping` (Django's `urlencode` keeps `/`).
    public static func encode(_ text: some StringProtocol, keeping: String = "") -> String {
        let kept = keeping.utf8
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                if byte < 0x80 && kept.contains(byte) {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    out.unicodeScalars.append("%")
                    out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                    out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
                }
            }
        }
        return out
    }

    /// Percent-decodes text; malformed escapes are kept literally, invalid UTF-8 is repaired. With
    /// `plusAsSpace` (form encoding), `+` becomes a space.
    public static func decode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String {
        decode(bytes: text.utf8, plusAsSpace: plusAsSpace)
    }

    /// Percent-decodes UTF-8 bytes, as ``decode(_:plusAsSpace:)``.
    public static func decode(bytes: some Collection<UInt8>, plusAsSpace: Bool) -> String {
        let utf8 = Array(bytes)
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(decoding: utf8, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), index + 2 < utf8.count,
               let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of one ASCII hexadecimal digit.
    @inline(__always)
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `text` as one name or value of an `application/x-www-form-urlencoded` form: ``encode(_:keeping:)``
    /// with spaces as `+` (Python's `quote_plus`, what Django's `urlencode` writes).
    public static func encodeFormComponent(_ text: some StringProtocol) -> String {
        String(encode(text, keeping: " ").map { $0 == " " ? "+" : $0 })
    }

    /// The `name=value` pairs of a form or query, in order, decoded (`+` as space). Split at the bytes `&`
    /// and `=` (WHATWG URL §5.1), not at Characters: an `&` followed by a combining mark is one grapheme with
    /// it, and must still separate two fields as it does for a browser or a proxy. A field without `=` has an
    /// empty value; empty fields are skipped.
    public static func formPairs(_ bytes: some Collection<UInt8>) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for part in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = part.firstIndex(of: UInt8(ascii: "=")) {
                pairs.append((decode(bytes: part[..<equals], plusAsSpace: true),
                              decode(bytes: part[part.index(after: equals)...], plusAsSpace: true)))
            } else {
                pairs.append((decode(bytes: part, plusAsSpace: true), ""))
            }
        }
        return pairs
    }
}
