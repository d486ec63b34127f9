import Dispatch

extension PasswordHasher {
    /// PBKDF2 at Django's iteration count takes about a second of CPU: it runs on a Dispatch queue so it never
    /// holds one of Swift's few cooperative threads (which every other request needs).
    private static let queue = DispatchQueue(label: "croft.password-hashing", attributes: .concurrent)

    /// `hash(_:)` off the cooperative pool.
    public func hashInBackground(_ password: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Self.queue.async { continuation.resume(with: Result { try hash(password) }) }
        }
    }

    /// `verify(_:against:)` off the cooperative pool.
    public func verifyInBackground(_ password: String, against encoded: String) async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            Self.queue.async { continuation.resume(with: Result { try verify(password, against: encoded) }) }
        }
    }
}
