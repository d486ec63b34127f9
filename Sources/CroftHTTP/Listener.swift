#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens non-blocking listening sockets.
enum Listener {
    /// Creates, configures, binds and listens; returns the descriptor and the address bound.
    static func open(
        address: SocketAddress, reusePort: Bool, ipv6Only: Bool, backlog: Int32
    ) throws(ServerError) -> (Int32, SocketAddress) {
        let fd = Platform.streamSocket(family: address.family)
        guard fd >= 0 else { throw .socket(operation: "socket", address: address.description, errno: errno) }
        var one: Int32 = 1
        let size = socklen_t(MemoryLayout<Int32>.size)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, size)
        if reusePort { Platform.setReusePort(fd) }
        if address.family == AF_INET6 {
            // `::` alone serves IPv4 too (dual-stack) unless an IPv4 address is bound beside it.
            var v6only: Int32 = ipv6Only ? 1 : 0
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6only, size)
        }
        var storage = address.storage
        let bindResult = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
        }
        guard bindResult == 0 else {
            let code = errno
            close(fd)
            throw .socket(operation: "bind", address: address.description, errno: code)
        }
        guard listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw .socket(operation: "listen", address: address.description, errno: code)
        }
        var actual = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        return (fd, SocketAddress(storage: actual, length: length))
    }
}

extension SocketAddress {
    /// Replaces the port (used to bind every address of a name to the same ephemeral port).
    mutating func setPort(_ port: Int) {
        let isIPv6 = family == AF_INET6
        withUnsafeMutablePointer(to: &storage) { pointer in
            if isIPv6 {
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port = UInt16(port).bigEndian }
            } else {
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port = UInt16(port).bigEndian }
            }
        }
    }
}
