#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCroftSystem

/// Every difference between Linux and Darwin the socket layer meets, one small named function each, so the
/// rest of CroftHTTP is the same code on both. Linux is what CI compiles and tests; the Darwin branches are
/// written from the BSD socket API and have not been compiled here (README, "Platforms").
enum Platform {
    /// Whether this platform has epoll (Linux's fast path); elsewhere the Dispatch poller is the only one.
    #if os(Linux)
    static let hasEpoll = true
    #else
    static let hasEpoll = false
    #endif

    /// Closes a descriptor (a free function: `Connection.close()` would shadow `close`).
    static func closeDescriptor(_ fd: Int32) {
        _ = close(fd)
    }

    /// A non-blocking, close-on-exec TCP socket: one `socket(2)` on Linux, `socket` then `fcntl` on Darwin.
    static func streamSocket(family: Int32) -> Int32 {
        #if os(Linux)
        return socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        if fd >= 0 { makeNonBlockingAndCloseOnExec(fd) }
        return fd
        #endif
    }

    /// Accepts a connection as a non-blocking, close-on-exec socket that never raises SIGPIPE: `accept4` on
    /// Linux (SIGPIPE is avoided per write with `MSG_NOSIGNAL`), `accept` then `fcntl` and `SO_NOSIGPIPE`
    /// on Darwin.
    static func accept(_ listener: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: inout socklen_t) -> Int32 {
        #if os(Linux)
        return croft_accept(listener, address, &length)
        #else
        let fd = Darwin.accept(listener, address, &length)
        if fd >= 0 {
            makeNonBlockingAndCloseOnExec(fd)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
        #endif
    }

    /// `send(2)` that never raises SIGPIPE on a peer that has gone (`MSG_NOSIGNAL` on Linux; on Darwin the
    /// socket carries `SO_NOSIGPIPE` from `accept`).
    static func send(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if os(Linux)
        return Glibc.send(fd, bytes, count, Int32(MSG_NOSIGNAL))
        #else
        return Darwin.send(fd, bytes, count, 0)
        #endif
    }

    /// Lets a second process bind the same port (`SO_REUSEPORT`; on Linux the kernel also spreads
    /// connections between the listeners, on Darwin the newest listener takes them).
    static func setReusePort(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// A file's modification time from `stat` (`st_mtim` on Linux, `st_mtimespec` on Darwin).
    static func modificationTime(_ info: stat) -> timespec {
        #if os(Linux)
        return info.st_mtim
        #else
        return info.st_mtimespec
        #endif
    }

    /// The highest soft open-file limit to ask for: the hard limit, except on Darwin, where a hard limit of
    /// `RLIM_INFINITY` is refused by `setrlimit` and `OPEN_MAX` is the ceiling.
    static func openFileTarget(hardLimit: rlim_t) -> rlim_t {
        #if os(Linux)
        return hardLimit
        #else
        return min(hardLimit, rlim_t(OPEN_MAX))
        #endif
    }

    /// The resource number of the open-file limit for `getrlimit`/`setrlimit`.
    static var openFileLimitResource: Int32 {
        #if os(Linux)
        return Int32(RLIMIT_NOFILE.rawValue)
        #else
        return RLIMIT_NOFILE
        #endif
    }

    #if !os(Linux)
    private static func makeNonBlockingAndCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
    }
    #endif
}

/// The readiness poller under the event loops, chosen by `ServerConfiguration.poller` (`POLLER`).
public enum PollerBackend: String, Sendable, CaseIterable {
    /// One thread per loop in `epoll_wait`, edge-triggered (Linux only; the fast path).
    case epoll
    /// Dispatch read and write sources over the same non-blocking sockets, one serial queue per loop:
    /// libdispatch runs them on epoll on Linux and on kqueue on a Mac.
    case dispatch

    /// epoll where the platform has it, Dispatch elsewhere; `POLLER=epoll|dispatch` in the environment
    /// overrides it (an unknown value, or epoll where there is none, keeps the platform's choice).
    public static var `default`: PollerBackend {
        getenv("POLLER").flatMap { PollerBackend(setting: String(cString: $0)) } ?? platformDefault
    }

    /// The backend a `POLLER` value names, in any case; nil for an unknown name, or epoll where the
    /// platform has none.
    public init?(setting: String) {
        guard let chosen = PollerBackend(rawValue: setting.lowercased()),
              chosen != .epoll || Platform.hasEpoll else { return nil }
        self = chosen
    }

    /// The values ``init(setting:)`` takes here, for an error message.
    public static var settingValues: String { Platform.hasEpoll ? "epoll, dispatch" : "dispatch (epoll is Linux's)" }

    /// epoll on Linux, Dispatch elsewhere.
    public static var platformDefault: PollerBackend { Platform.hasEpoll ? .epoll : .dispatch }
}
