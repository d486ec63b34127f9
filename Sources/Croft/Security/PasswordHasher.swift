import Crypto
import CryptoExtras
import Foundation

/// Hashes and verifies passwords with PBKDF2-HMAC-SHA256 in Django's format,
/// `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`, so accounts can move over from a Django database.
///
/// Verification is constant-time; `needsRehash` tells a login to upgrade a hash made with fewer iterations.
///
/// ```swift
/// let hasher = PasswordHasher()                 // 1,200,000 iterations, as Django 6
/// let encoded = try hasher.hash("correct horse")
/// try hasher.verify("correct horse", against: encoded)   // true
/// ```
public struct PasswordHasher: Sendable {
    /// Django 6's default iteration count for PBKDF2-SHA256.
    public static let defaultIterations = 1_200_000
    /// The most iterations accepted, for new hashes and stored ones (~8 s of CPU): a stored hash above it is
    /// refused as malformed rather than tying up a core, or trapping in the key derivation's `UInt32`.
    public static let maximumIterations = 50_000_000
    /// The algorithm tag in the encoded form.
    public static let algorithm = "pbkdf2_sha256"

    /// Iterations used for new hashes.
    public var iterations: Int
    /// What bounds the background hashes (`hashInBackground`, `verifyInBackground`) of this hasher.
    public var gate: PasswordHashingGate

    /// A hasher using `iterations` for new hashes (`PASSWORD_ITERATIONS` in Settings), its background work
    /// bounded by `gate` (``Settings/passwordHashing`` for a site's).
    public init(iterations: Int = PasswordHasher.defaultIterations, gate: PasswordHashingGate = PasswordHasher.defaultGate) {
        self.iterations = iterations
        self.gate = gate
    }

    /// Why a stored hash could not be used.
    public enum HashError: Error, Equatable, CustomStringConvertible {
        /// The stored string is not `pbkdf2_sha256$iterations$salt$hash`.
        case unrecognizedFormat
        /// The key derivation failed.
        case derivationFailed

        public var description: String {
            switch self {
            case .unrecognizedFormat: "the stored password hash is not in pbkdf2_sha256$iterations$salt$hash form"
            case .derivationFailed: "password key derivation failed"
            }
        }
    }

    /// Hashes `password` with a fresh random salt (22 characters, as Django makes them).
    public func hash(_ password: String) throws -> String {
        try hash(password, salt: Self.randomSalt(), iterations: iterations)
    }

    /// Hashes with an explicit salt and iteration count (for tests and Django compatibility checks).
    public func hash(_ password: String, salt: String, iterations: Int) throws -> String {
        let digest = try Self.derive(password: password, salt: salt, iterations: iterations)
        return "\(Self.algorithm)$\(iterations)$\(salt)$\(Data(digest).base64EncodedString())"
    }

    /// Whether `password` matches `encoded`; the comparison takes the same time wherever they differ.
    public func verify(_ password: String, against encoded: String) throws -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == Self.algorithm, let rounds = Int(parts[1]),
              (1...Self.maximumIterations).contains(rounds), let expected = Data(base64Encoded: String(parts[3])) else { throw HashError.unrecognizedFormat }
        let actual = try Self.derive(password: password, salt: String(parts[2]), iterations: rounds)
        return Self.constantTimeEquals(Array(expected), actual)
    }

    /// Whether a stored hash uses other iterations than this hasher (rehash it at the next login). More
    /// counts too: an imported account that costs more to verify than an unknown email tells that it exists.
    public func needsRehash(_ encoded: String) -> Bool {
        guard let rounds = Self.iterations(of: encoded) else { return true }
        return rounds != iterations
    }

    /// The iteration count of a stored hash, or nil when it is not `pbkdf2_sha256$iterations$...`.
    public static func iterations(of encoded: String) -> Int? {
        let parts = encoded.split(separator: "$")
        guard parts.count == 4, parts[0] == algorithm, let rounds = Int(parts[1]) else { return nil }
        return rounds
    }

    static func derive(password: String, salt: String, iterations: Int) throws -> [UInt8] {
        guard (1...maximumIterations).contains(iterations) else { throw HashError.derivationFailed }
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: Array(salt.utf8), using: .sha256, outputByteCount: 32,
                unsafeUncheckedRounds: iterations)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw HashError.derivationFailed
        }
    }

    static func randomSalt() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<22).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// Compares two byte strings in time that depends only on their lengths.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<lhs.count { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
