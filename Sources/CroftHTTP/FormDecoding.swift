import CroftCore
/// Bounds on one `application/x-www-form-urlencoded` form, checked before anything is decoded.
///
/// The defaults are Django's `DATA_UPLOAD_MAX_NUMBER_FIELDS` (1,000) and `DATA_UPLOAD_MAX_MEMORY_SIZE`
/// (2.5 MB): a form over either is refused without allocating in proportion to it.
public struct FormLimits: Sendable, Equatable {
    /// The most `name=value` fields a form may have.
    public var maxFields: Int = 1000
    /// The most bytes an encoded form may have.
    public var maxBytes: Int = 2_621_440

    /// The defaults: 1,000 fields, 2.5 MB.
    public init() {}

    /// Limits with the given bounds.
    public init(maxFields: Int, maxBytes: Int) {
        self.maxFields = maxFields
        self.maxBytes = maxBytes
    }
}

/// Why a form was refused before decoding.
public enum FormDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// More fields than ``FormLimits/maxFields``.
    case tooManyFields(limit: Int)
    /// More bytes than ``FormLimits/maxBytes``.
    case tooLarge(size: Int, limit: Int)

    public var description: String {
        switch self {
        case .tooManyFields(let limit): "the form has more than \(limit) fields"
        case .tooLarge(let size, let limit): "the form is \(size) bytes, more than the \(limit) allowed"
        }
    }
}

/// Decoding of `application/x-www-form-urlencoded` text and percent-encoding (WHATWG URL §5).
public enum FormDecoding {
    /// Decodes an encoded form's bytes into ordered pairs, refusing it first if it is over `limits`.
    ///
    /// The size is checked, then the fields are counted with one scan that allocates nothing, so a body of
    /// five million `a&` costs a pass over its bytes and no arrays.
    public static func decodePairs(
        bytes: some Collection<UInt8>, limits: FormLimits
    ) throws(FormDecodingError) -> [(String, String)] {
        let size = bytes.count
        guard size <= limits.maxBytes else { throw .tooLarge(size: size, limit: limits.maxBytes) }
        var fields = 0
        var inField = false
        for byte in bytes {
            if byte == UInt8(ascii: "&") {
                inField = false
            } else if !inField {
                inField = true
                fields += 1
                if fields > limits.maxFields { throw .tooManyFields(limit: limits.maxFields) }
            }
        }
        // Repaired to UTF-8 first, as the text of a query string is: both decode a form the same way.
        return pairs(in: String(decoding: bytes, as: UTF8.self).utf8)
    }

    /// Decodes `a=1&b=two+words` into a dictionary; the last value wins for repeated names.
    public static func decode(_ text: some StringProtocol) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in decodePairs(text) { result[name] = value }
        return result
    }

    /// Decodes `a=1&b=2&a=3` into ordered pairs, keeping repeats.
    ///
    /// Split at the bytes `&` and `=` (WHATWG URL §5.1), not at Characters: an `&` followed by a combining
    /// mark is one grapheme with it, and must still separate two fields as it does for a browser or a proxy.
    public static func decodePairs(_ text: some StringProtocol) -> [(String, String)] {
        pairs(in: text.utf8)
    }

    /// The pairs of encoded bytes; both entry points above end here.
    private static func pairs(in bytes: some Collection<UInt8>) -> [(String, String)] {
        PercentEncoding.formPairs(bytes)
    }

    /// Percent-decodes text; malformed escapes are kept literally. With `plusAsSpace`, `+` becomes a space.
    public static func percentDecode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String {
        percentDecode(bytes: text.utf8, plusAsSpace: plusAsSpace)
    }

    /// Percent-decodes UTF-8 bytes (invalid sequences repaired).
    static func percentDecode(bytes: some Collection<UInt8>, plusAsSpace: Bool) -> String {
        PercentEncoding.decode(bytes: bytes, plusAsSpace: plusAsSpace)
    }

    /// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
    public static func percentEncode(_ text: some StringProtocol) -> String {
        PercentEncoding.encode(text)
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        PercentEncoding.hexValue(byte)
    }
}
