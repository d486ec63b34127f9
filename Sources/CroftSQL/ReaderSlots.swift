import Synchronization

/// Hands out reader connections first come, first served, without blocking a thread.
///
/// A caller asks for a reader with a callback; it runs at once with a free reader's index, or
/// later, when a reader is released, in arrival order.
final class ReaderSlots: Sendable {
    private struct State {
        var available: [Int]
        var waiters: [@Sendable (Int) -> Void] = []
        var waiterHead = 0
    }

    /// Free reader indexes and waiting callers.
    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(available: Array((0..<count).reversed())))
    }

    /// Calls `body` with a free reader index, now or when one is released.
    func acquire(_ body: @escaping @Sendable (Int) -> Void) {
        let index: Int? = state.withLock { state in
            if let index = state.available.popLast() { return index }
            state.waiters.append(body)
            return nil
        }
        if let index { body(index) }
    }

    /// Gives `index` to the longest waiting caller, or marks it free.
    func release(_ index: Int) {
        let waiter: (@Sendable (Int) -> Void)? = state.withLock { state in
            guard state.waiterHead < state.waiters.count else {
                state.available.append(index)
                return nil
            }
            let waiter = state.waiters[state.waiterHead]
            state.waiterHead += 1
            if state.waiterHead > 64, state.waiterHead * 2 > state.waiters.count {
                state.waiters.removeFirst(state.waiterHead)
                state.waiterHead = 0
            }
            return waiter
        }
        waiter?(index)
    }

    /// Callers waiting for a reader.
    var waitingCount: Int {
        state.withLock { $0.waiters.count - $0.waiterHead }
    }
}
