#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CroftHTTP
import Foundation

/// A TCP client for tests: sends raw bytes and reads raw HTTP responses, with a timeout on every read so a
/// test can never hang. Blocking socket calls run on the client's own dispatch queue, never on Swift's
/// cooperative threads (which the server under test needs for its handlers).
///
/// `@unchecked Sendable` is sound because the read buffer is touched only on `queue` (asserted in `fill()`).
public final class RawClient: @unchecked Sendable {
    private let queue = DispatchQueue(label: "croft.test.client")
    /// The socket descriptor.
    public let fd: Int32
    private var buffer: [UInt8] = []

    /// Errors from the test client.
    public enum ClientError: Error, CustomStringConvertible {
        case connect(Int32)
        case timeout
        case closed
        case malformed(String)

        public var description: String {
            switch self {
            case .connect(let code): "connect failed: \(String(cString: strerror(code)))"
            case .timeout: "timed out waiting for the server"
            case .closed: "the server closed the connection"
            case .malformed(let reason): "malformed response: \(reason)"
            }
        }
    }

    /// Connects to 127.0.0.1 (or `::1` when `ipv6`) on `port`; reads time out after `timeout` seconds
    /// (generous by default: a loaded CI machine must make a test slow, not wrong).
    public init(port: Int, ipv6: Bool = false, timeout: Double = 10) throws {
        // The socket is connected before `self` exists, so a failed connect closes it exactly once
        // (a throwing class initializer would otherwise run `deinit` and close the number a second time,
        // possibly after another test reused it).
        fd = try Self.connectSocket(port: port, ipv6: ipv6, timeout: timeout)
    }

    private static func connectSocket(port: Int, ipv6: Bool, timeout: Double) throws -> Int32 {
        #if os(Linux)
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        #else
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0)
        if fd >= 0 {
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        #endif
        guard fd >= 0 else { throw ClientError.connect(errno) }
        var tv = timeval()
        tv.tv_sec = .init(Int(timeout))
        tv.tv_usec = .init(Int((timeout - Double(Int(timeout))) * 1_000_000))  // Int on Linux, Int32 on Darwin
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            address.sin6_addr = in6addr_loopback
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        if result != 0 {
            let code = errno
            Self.closeDescriptor(fd)
            throw ClientError.connect(code)
        }
        return fd
    }

    deinit { Self.closeDescriptor(fd) }

    /// Runs a blocking operation on the client's queue.
    private func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Sends text as UTF-8.
    public func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    /// Sends bytes.
    public func send(_ bytes: [UInt8]) async throws { try await offload { try self.sendBlocking(bytes) } }

    /// Reads one response; `head` for the answer to a HEAD request (no body follows).
    public func readResponse(head: Bool = false) async throws -> RawResponse {
        try await offload { try self.readResponseBlocking(head: head) }
    }

    /// Whether the server has closed the connection (EOF or reset) within the read timeout.
    public func isClosedByServer() async -> Bool {
        (try? await offload { self.isClosedByServerBlocking() }) ?? false
    }

    /// Sends one simple request and reads its response.
    public func request(_ method: String = "GET", _ target: String, headers: [(String, String)] = [],
                        body: String? = nil) async throws -> RawResponse {
        try await offload { try self.requestBlocking(method, target, headers: headers, body: body) }
    }

    /// `close(2)` (a static function: the client's own `close` methods would shadow it).
    private static func closeDescriptor(_ fd: Int32) { _ = close(fd) }

    /// `send(2)` without SIGPIPE (`MSG_NOSIGNAL` on Linux; `SO_NOSIGPIPE` is set on the socket elsewhere).
    private static func sendNoSignal(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if os(Linux)
        return Glibc.send(fd, bytes, count, Int32(MSG_NOSIGNAL))
        #else
        return Darwin.send(fd, bytes, count, 0)
        #endif
    }

    private func sendBlocking(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Self.sendNoSignal(fd, $0.baseAddress! + sent, bytes.count - sent) }
            if count <= 0 { throw ClientError.closed }
            sent += count
        }
    }

    /// Half-closes the sending side.
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes into the buffer; false on EOF.
    private func fill() throws -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        if count == 0 { return false }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError.timeout }
        return false  // ECONNRESET and friends: treat as closed
    }

    private func readResponseBlocking(head: Bool) throws -> RawResponse {
        var headEnd: Int?
        while headEnd == nil {
            if let range = findCRLFCRLF() { headEnd = range } else if try !fill() {
                throw buffer.isEmpty ? ClientError.closed : ClientError.malformed("EOF inside head")
            }
        }
        let headText = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw ClientError.malformed(statusLine) }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw ClientError.malformed(line) }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        if head || status == 204 || status == 304 || (100..<200).contains(status) { return response }
        if let length = response.header("Content-Length").flatMap(Int.init) {
            while buffer.count < length { if try !fill() { throw ClientError.malformed("EOF inside body") } }
            response.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.body = try readChunked()
        } else {
            while try fill() {}
            response.body = buffer
            buffer.removeAll()
        }
        return response
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            guard let size = Int(line.split(separator: ";")[0], radix: 16) else { throw ClientError.malformed("chunk size \(line)") }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            while buffer.count < size + 2 { if try !fill() { throw ClientError.malformed("EOF inside chunk") } }
            body.append(contentsOf: buffer[0..<size])
            buffer.removeFirst(size + 2)
        }
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer.firstIndex(of: 10), index > 0, buffer[index - 1] == 13 {
                let line = String(decoding: buffer[0..<(index - 1)], as: UTF8.self)
                buffer.removeFirst(index + 1)
                return line
            }
            if try !fill() { throw ClientError.closed }
        }
    }

    private func findCRLFCRLF() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    private func isClosedByServerBlocking() -> Bool {
        do {
            while try fill() { buffer.removeAll() }
            return true
        } catch {
            return false
        }
    }

    private func requestBlocking(_ method: String, _ target: String, headers: [(String, String)],
                                 body: String?) throws -> RawResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        try sendBlocking(Array(text.utf8))
        return try readResponseBlocking(head: method == "HEAD")
    }
}

/// A response as read off the wire by `RawClient`.
public struct RawResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The header fields in order.
    public var headers: [(String, String)]
    /// The body, de-chunked.
    public var body: [UInt8]

    /// The first value of a header, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
