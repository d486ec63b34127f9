/// A response as the page cache stores it: status, headers and body bytes.
struct CachedPage: Codable, Sendable {
    let status: Int
    let reason: String
    let headers: [[String]]
    let body: [UInt8]
}
