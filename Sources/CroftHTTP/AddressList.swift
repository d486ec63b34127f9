#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A list of IP addresses and CIDR ranges (`127.0.0.1`, `::1`, `10.0.0.0/8`, `fd00::/8`, `*` for any),
/// matched numerically: `::ffff:10.0.0.5` (an IPv4 client of a dual-stack `::` listener) is `10.0.0.5`.
///
/// ```swift
/// let proxies: AddressList = ["127.0.0.1", "::1", "172.16.0.0/12"]
/// proxies.contains("::ffff:172.18.0.3")   // true
/// ```
public struct AddressList: Sendable, Equatable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// One entry: an address with a prefix length (32 or 128 for a single address).
    struct Range: Sendable, Equatable {
        /// 16 bytes; an IPv4 range is stored as its v4-mapped IPv6 form with the prefix moved by 96.
        var bytes: [UInt8]
        var prefix: Int
    }

    /// The entries as written.
    public let entries: [String]
    let ranges: [Range]
    /// Whether `*` is in the list: every address matches.
    public let matchesAny: Bool
    /// Entries that are neither an address, a CIDR range nor `*` (ignored; `Settings` reports them).
    public let invalidEntries: [String]

    /// Parses the entries; the invalid ones are kept in ``invalidEntries`` and match nothing.
    public init(_ entries: [String]) {
        self.entries = entries
        var ranges: [Range] = []
        var invalid: [String] = []
        var any = false
        for entry in entries {
            if entry == "*" {
                any = true
            } else if let range = Self.parseRange(entry) {
                ranges.append(range)
            } else {
                invalid.append(entry)
            }
        }
        self.ranges = ranges
        matchesAny = any
        invalidEntries = invalid
    }

    public init(arrayLiteral elements: String...) {
        self.init(elements)
    }

    /// Whether `address` (numeric, as `Request.remoteAddress` holds it) is in the list.
    public func contains(_ address: some StringProtocol) -> Bool {
        if matchesAny { return true }
        guard !ranges.isEmpty, let bytes = Self.parseAddress(String(address)) else { return false }
        return ranges.contains { range in Self.bytes(bytes, match: range.bytes, prefix: range.prefix) }
    }

    public var description: String { entries.joined(separator: ",") }

    public static func == (lhs: AddressList, rhs: AddressList) -> Bool { lhs.entries == rhs.entries }

    // MARK: Parsing

    /// `a.b.c.d`, an IPv6 address, or either with `/prefix`.
    static func parseRange(_ text: String) -> Range? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = parseAddress(String(parts[0])) else { return nil }
        let isIPv4 = !parts[0].contains(":")
        let maximum = isIPv4 ? 32 : 128
        var prefix = maximum
        if parts.count == 2 {
            guard parts[1].count <= 3, let value = Int(parts[1]), (0...maximum).contains(value) else { return nil }
            prefix = value
        }
        return Range(bytes: bytes, prefix: isIPv4 ? prefix + 96 : prefix)
    }

    /// The 16 bytes of an IPv6 address, or of the v4-mapped form of an IPv4 one; nil if not numeric.
    static func parseAddress(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count < 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + withUnsafeBytes(of: v4.s_addr) { Array($0) }
        }
        var v6 = in6_addr()
        // A zone (`fe80::1%eth0`) is not part of the address.
        let bare = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        guard inet_pton(AF_INET6, bare, &v6) == 1 else { return nil }
        return withUnsafeBytes(of: v6) { Array($0) }
    }

    static func bytes(_ address: [UInt8], match network: [UInt8], prefix: Int) -> Bool {
        let whole = prefix / 8
        for index in 0..<whole where address[index] != network[index] { return false }
        let rest = prefix % 8
        guard rest > 0 else { return true }
        let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - rest))
        return address[whole] & mask == network[whole] & mask
    }
}
