import CCroftSystem
import Dispatch
import Foundation
import Synchronization

extension PasswordHasher {
    /// The nice value of the threads that hash: PBKDF2 at Django's iteration count takes ~0.2 s of CPU, and
    /// when the cores are contended the event loops and handlers should win.
    static let hashingThreadNice: Int32 = 10

    /// The gate of hashers made without one: half the cores (at least one), 64 waiting up to 5 s.
    public static let defaultGate = PasswordHashingGate(
        concurrency: PasswordHashingGate.defaultConcurrency, maxWaiting: 64, waitTimeout: .seconds(5))

    /// `hash(_:)` off the cooperative pool, through ``gate``; a 503 with `Retry-After` when it is full.
    public func hashInBackground(_ password: String) async throws -> String {
        try await gate.run { try hash(password) }
    }

    /// `verify(_:against:)` off the cooperative pool, through ``gate``; a 503 with `Retry-After` when it is full.
    public func verifyInBackground(_ password: String, against encoded: String) async throws -> Bool {
        try await gate.run { try verify(password, against: encoded) }
    }

    /// Runs `work` on a thread of its own at a low priority, never on one of Swift's few cooperative threads
    /// (which every other request needs) nor on a shared Dispatch worker (whose priority an unprivileged
    /// process could lower but not restore). `done` runs there as soon as the work finishes, before the
    /// awaiting task resumes, which on a busy cooperative pool can take a while: the slot is not held for that.
    /// A thread per hash costs tens of microseconds against a hash's 0.2 s; the gate bounds how many.
    fileprivate static func runOnQueue<T: Sendable>(
        _ work: @escaping @Sendable () throws -> T, done: @escaping @Sendable () -> Void
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                _ = croft_set_current_thread_nice(hashingThreadNice)
                let result = Result { try work() }
                done()
                continuation.resume(with: result)
            }
            thread.name = "croft-password-hash"
            thread.start()
        }
    }
}

/// Lets at most `concurrency` password hashes run at once; up to `maxWaiting` more wait their turn for at
/// most `waitTimeout`; beyond that, or after waiting that long, the request gets 503 + `Retry-After`
/// instead of queueing without bound (each waiter would hold a request and its memory).
public final class PasswordHashingGate: Sendable {
    /// Half the cores, at least one: the other half stays with the event loops and handlers.
    public static var defaultConcurrency: Int { max(1, ProcessInfoShim.activeProcessorCount / 2) }

    /// Hashes allowed at once.
    public let concurrency: Int
    /// Callers allowed to wait for a slot.
    public let maxWaiting: Int
    /// How long a caller waits for a slot before it is refused.
    public let waitTimeout: Duration

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var running = 0
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
        var refused = 0
    }

    private let state = Mutex(State())

    /// A gate with the given bounds.
    public init(concurrency: Int, maxWaiting: Int, waitTimeout: Duration) {
        self.concurrency = max(1, concurrency)
        self.maxWaiting = max(0, maxWaiting)
        self.waitTimeout = waitTimeout
    }

    /// Callers refused so far (a full queue or a wait that timed out).
    public var refusedCount: Int { state.withLock { $0.refused } }
    /// Hashes running now.
    public var runningCount: Int { state.withLock { $0.running } }
    /// Callers waiting for a slot now.
    public var waitingCount: Int { state.withLock { $0.waiters.count } }

    /// Runs `work` on a low-priority thread of its own once a slot is free.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await acquire()
        return try await PasswordHasher.runOnQueue(work) { [self] in release() }
    }

    static let busy = HTTPError(
        .serviceUnavailable, message: "The server is busy checking other passwords. Try again in a few seconds.",
        headers: ["Retry-After": "5"])

    private func acquire() async throws {
        enum Decision { case run, refuse, wait(UInt64) }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            // Decided and queued under one lock, so a slot freed meanwhile cannot be missed.
            let decision = state.withLock { state -> Decision in
                if state.running < concurrency {
                    state.running += 1
                    return .run
                }
                guard state.waiters.count < maxWaiting else {
                    state.refused += 1
                    return .refuse
                }
                state.nextID += 1
                state.waiters.append(Waiter(id: state.nextID, continuation: continuation))
                return .wait(state.nextID)
            }
            switch decision {
            case .run: continuation.resume()
            case .refuse: continuation.resume(throwing: Self.busy)
            case .wait(let id):
                // A Dispatch timer, not a sleeping task: on a saturated cooperative pool a task's wake-up can
                // come seconds late, and the wait must end on time.
                let nanoseconds = Int(min(waitTimeout / .nanoseconds(1), Double(Int.max / 2)))
                DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [weak self] in
                    self?.timeOut(id)
                }
            }
        }
    }

    /// Hands the slot to the first waiter, or frees it.
    private func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.running -= 1
                return nil
            }
            return state.waiters.removeFirst()  // the slot passes on: running stays the same
        }
        next?.continuation.resume()
    }

    private func timeOut(_ id: UInt64) {
        let expired = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            state.refused += 1
            return state.waiters.remove(at: index)
        }
        expired?.continuation.resume(throwing: Self.busy)
    }
}
