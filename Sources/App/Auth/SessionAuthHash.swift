import Croft
import Crypto
import Foundation

/// Ties a signed-in session to the password it was signed in with, as Django's `_auth_user_hash` does: an
/// HMAC of the stored password hash under `SECRET_KEY`, kept in the session and checked on every request.
/// Changing the password (or a staff reset) changes the hash, so every other session of that user is signed
/// out; the session that changed it stores the new value and stays.
struct SessionAuthHash: Sendable {
    /// The session key that holds the value.
    static let sessionKey = "auth_hash"
    private let key: SymmetricKey

    init(secret: String) {
        key = SymmetricKey(data: SHA256.hash(data: Array(("croft.session-auth:" + secret).utf8)))
    }

    /// The value for a user's current password hash.
    func value(for user: User) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Array(user.passwordHash.utf8), using: key)).base64EncodedString()
    }

    /// Whether the session's stored value matches the user's current password hash.
    func matches(_ stored: String?, user: User) -> Bool {
        guard let stored else { return false }
        return PasswordHasher.constantTimeEquals(Array(stored.utf8), Array(value(for: user).utf8))
    }
}

enum SessionAuthHashKey: RequestStorageKey {
    typealias Value = SessionAuthHash
}

extension Request {
    /// Signs `user` in on this session: a new session id (no fixation), the user id and the password's hash.
    func signIn(_ user: User) {
        session?.rotate()
        session?["user_id"] = String(user.id ?? 0)
        if let auth = storage[SessionAuthHashKey.self] { session?[SessionAuthHash.sessionKey] = auth.value(for: user) }
    }
}
