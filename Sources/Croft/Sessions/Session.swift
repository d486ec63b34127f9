import Synchronization

/// The server-side session of one request: string values kept in SQLite under a random 256-bit id.
///
/// Middleware attaches it to the request; handlers read and change it. Changes are saved after the handler
/// returns. Call `rotate()` on login and logout (session fixation), `destroy()` to end it.
///
/// ```swift
/// request.session?["user_id"] = String(user.id!)
/// request.session?.rotate()
/// ```
public final class Session: Sendable {
    struct State: Sendable {
        /// The id the client holds (or was just given); nil for a visitor without a cookie.
        var id: String?
        /// Whether `id` has a row in the store.
        var stored = false
        /// Whether `id` was created during this request (its cookie must be sent).
        var issued = false
        var values: [String: String]
        var modified = false
        var rotate = false
        var destroyed = false
    }

    let state: Mutex<State>

    init(id: String?, stored: Bool, values: [String: String]) {
        state = Mutex(State(id: id, stored: stored, values: values))
    }

    /// The session id, issuing one (and its cookie, but no database row) if the visitor had none.
    public var id: String {
        state.withLock {
            if let id = $0.id { return id }
            let id = SessionStore.newID()
            $0.id = id
            $0.issued = true
            return id
        }
    }

    /// A value, or nil; setting nil removes it.
    public subscript(key: String) -> String? {
        get { state.withLock { $0.values[key] } }
        set {
            state.withLock {
                guard $0.values[key] != newValue else { return }
                $0.values[key] = newValue
                $0.modified = true
            }
        }
    }

    /// Every value (a copy).
    public var values: [String: String] { state.withLock { $0.values } }

    /// Whether the client already had this session stored (its cookie matched a row).
    public var exists: Bool { state.withLock { $0.stored } }

    /// Gives the session a new id, keeping its values (call on login and privilege changes).
    public func rotate() {
        state.withLock {
            $0.rotate = true
            $0.modified = true
        }
    }

    /// Ends the session: its row is deleted and the cookie cleared.
    public func destroy() {
        state.withLock {
            $0.values = [:]
            $0.destroyed = true
            $0.modified = true
        }
    }

    /// Removes and returns a value.
    public func pop(_ key: String) -> String? {
        state.withLock {
            guard let value = $0.values.removeValue(forKey: key) else { return nil }
            $0.modified = true
            return value
        }
    }
}

/// Where `SessionMiddleware` puts the session.
public enum SessionKey: RequestStorageKey {
    public typealias Value = Session
}

extension Request {
    /// The session, when `SessionMiddleware` runs for this route.
    public var session: Session? { storage[SessionKey.self] }
}
