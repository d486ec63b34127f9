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
}
