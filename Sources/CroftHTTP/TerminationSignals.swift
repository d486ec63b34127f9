#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Waits for SIGTERM or SIGINT without killing the process, so the server can shut down gracefully.
///
/// The signals are blocked from their default action and delivered through Dispatch sources. SIGPIPE is
/// ignored: a client that disappears must never kill the server.
public final class TerminationSignals: Sendable {
    // Created here, cancelled in deinit; the Mutex makes the holder Sendable without a promise.
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let stream: AsyncStream<Int32>

    /// Starts listening for SIGTERM and SIGINT.
    public init() {
        signal(SIGPIPE, SIG_IGN)
        var continuation: AsyncStream<Int32>.Continuation!
        stream = AsyncStream { continuation = $0 }
        let sink = continuation!
        sources = Mutex([SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { sink.yield(number) }
            source.resume()
            return source
        })
    }

    /// Returns when the first termination signal arrives; returns the signal number.
    @discardableResult
    public func wait() async -> Int32 {
        for await number in stream { return number }
        return 0
    }

    deinit {
        sources.withLock { sources in for source in sources { source.cancel() } }
    }
}
