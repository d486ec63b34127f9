#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A resolved IPv4 or IPv6 socket address to bind or that a peer connected from.
public struct SocketAddress: Sendable, CustomStringConvertible {
    var storage: sockaddr_storage
    var length: socklen_t

    /// The address family (`AF_INET` or `AF_INET6`).
    public var family: Int32 { Int32(storage.ss_family) }

    /// The numeric host (`127.0.0.1`, `::1`); an IPv4 client of a dual-stack `::` listener is shown as its
    /// IPv4 address (`10.0.0.5`, not `::ffff:10.0.0.5`), so lists of addresses match it either way.
    public var host: String {
        let numeric = numericHost
        if family == AF_INET6, numeric.hasPrefix("::ffff:"), numeric.contains(".") { return String(numeric.dropFirst(7)) }
        return numeric
    }

    private var numericHost: String {
        var copy = storage
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let result = withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
            }
        }
        guard result == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The port number.
    public var port: Int {
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer in
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    public var description: String { family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Resolves a host name or numeric address for binding (`AI_PASSIVE`); `localhost` yields both loopbacks.
    public static func resolve(host: String, port: Int) throws(ServerError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw ServerError.resolve(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
            }
            let address = SocketAddress(storage: storage, length: info.pointee.ai_addrlen)
            if !addresses.contains(where: { $0.description == address.description }) { addresses.append(address) }
            current = info.pointee.ai_next
        }
        return addresses
    }
}

/// Errors starting or running the server, each naming what failed and why.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    /// The host name could not be resolved.
    case resolve(host: String, reason: String)
    /// A system call failed while setting up a listener.
    case socket(operation: String, address: String, errno: Int32)
    /// The server was started twice.
    case alreadyStarted

    public var description: String {
        switch self {
        case .resolve(let host, let reason): "cannot resolve host '\(host)': \(reason)"
        case .socket(let operation, let address, let code):
            "\(operation) failed for \(address): \(String(cString: strerror(code)))"
                + (code == EADDRINUSE ? " (is another server running on this port? choose one with --port)" : "")
        case .alreadyStarted: "the server is already running"
        }
    }
}
