import CroftTesting
import Foundation
import Synchronization
import Testing
@testable import CroftHTTP

/// End-to-end: a real server on an ephemeral port, spoken to over raw sockets.
@Suite(.bothPollers) struct ServerTests {
    static let echo: @Sendable (Request) async throws -> Response = { request in
        switch request.path {
        case "/echo": return Response(headers: ["X-Method": request.method.rawValue], body: .bytes(request.body))
        case "/slow":
            try await Task.sleep(for: .milliseconds(Int(request.query["ms"] ?? "300")!))
            return .text("slow done \(request.query["n"] ?? "")")
        case "/throw": throw TestFailure()
        default: return .text("path \(request.path)")
        }
    }

    struct TestFailure: Error {}

    @Test func runsOnThePollerUnderTest() async throws {
        let backend = try #require(PollerUnderTest.current, "the suite runs once per poller backend")
        try await TestServer.with(Self.echo) { (server: Server) async throws in
            #expect(server.configuration.poller == backend)
            let status = try await RawClient(port: server.port).request("GET", "/").status
            #expect(status == 200)
        }
    }

    @Test func servesSeveralRequestsOnOneKeepAliveConnection() async throws {
        try await TestServer.with(Self.echo) { server in
            let client = try RawClient(port: server.port)
            for index in 0..<3 {
                let response = try await client.request("GET", "/n\(index)")
                #expect(response.status == 200)
                #expect(response.text == "path /n\(index)")
                #expect(response.header("Date") != nil)
                #expect(response.header("Content-Length") == "\(response.body.count)")
            }
        }
    }

    @Test func answersPipelinedRequestsInOrder() async throws {
        try await TestServer.with(Self.echo) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /slow?ms=200&n=1 HTTP/1.1\r\nHost: a\r\n\r\nGET /fast HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz")
            #expect(try await client.readResponse().text == "slow done 1")
            #expect(try await client.readResponse().text == "path /fast")
            #expect(try await client.readResponse().text == "xyz")
        }
    }

    @Test func receivesChunkedUploads() async throws {
        try await TestServer.with(Self.echo) { server in
            let client = try RawClient(port: server.port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
            try await client.send("4;ext=1\r\nWiki\r\n")
            try await Task.sleep(for: .milliseconds(50))
            try await client.send("5\r\npedia\r\n0\r\nX-Checksum: 1\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "Wikipedia")
        }
    }

    @Test func answers100ContinueBeforeTheBodyIsSent() async throws {
        try await TestServer.with(Self.echo) { server in
            let client = try RawClient(port: server.port)
            try await client.send("PUT /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let interim = try await client.readResponse()
            #expect(interim.status == 100)
            try await client.send("hello")
            let final = try await client.readResponse()
            #expect(final.status == 200)
            #expect(final.text == "hello")
        }
    }

    @Test func refusesAnOversizedBodyWith413WithoutWaitingForIt() async throws {
        try await TestServer.with(configure: { $0.limits.maxBodySize = 1024 }, Self.echo) { server in
            let client = try RawClient(port: server.port)
            try await client.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 50000000\r\nExpect: 100-continue\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
            #expect((await client.isClosedByServer()))
            #expect(try await RawClient(port: server.port).request("GET", "/after").status == 200)
        }
    }

    /// Each hostile input gets its 4xx/5xx, the connection closes, and the server keeps serving.
    static let hostile: [(String, Int)] = [
        ("GARBAGE\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n folded\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFF\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: compress\r\n\r\n", 501),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET /" + String(repeating: "x", count: 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "y", count: 20000) + "\r\n\r\n", 431),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: \u{0}\r\n\r\n", 400),
    ]

    @Test(arguments: hostile)
    func refusesHostileInputAndKeepsServing(_ testCase: (String, Int)) async throws {
        try await TestServer.with(Self.echo) { server in
            let client = try RawClient(port: server.port)
            try await client.send(testCase.0)
            let response = try await client.readResponse()
            #expect(response.status == testCase.1)
            #expect(response.header("Connection") == "close")
            #expect(!response.text.contains("smuggled"))
            #expect((await client.isClosedByServer()))
            let next = try await RawClient(port: server.port).request("GET", "/still-here")
            #expect(next.status == 200)
        }
    }

    @Test func cutsOffASlowlorisClientWhileServingOthers() async throws {
        // The timing itself is ConnectionTimelineTests' (a fake clock); this checks the socket layer acts on
        // it: a head that never completes gets its 408 and a close, while other clients are served.
        try await TestServer.with(configure: { $0.requestHeadTimeout = .seconds(1) }, Self.echo) { server in
            let slow = try RawClient(port: server.port, timeout: 8)
            try await slow.send("GET / HTTP/1.1\r\nX-1: a\r\n")
            #expect(try await RawClient(port: server.port).request("GET", "/other").status == 200)
            let response = try await slow.readResponse()
            #expect(response.status == 408)
            #expect((await slow.isClosedByServer()))
        }
    }

    @Test func closesIdleKeepAliveConnectionsAfterTheTimeout() async throws {
        try await TestServer.with(configure: { $0.keepAliveTimeout = .milliseconds(500) }, Self.echo) { server in
            let client = try RawClient(port: server.port)
            #expect(try await client.request("GET", "/").status == 200)
            #expect((await client.isClosedByServer()))
        }
    }

    @Test func turnsAThrowingHandlerInto500WithAnErrorIDAndKeepsTheConnection() async throws {
        try await TestServer.with(Self.echo) { server in
            let client = try RawClient(port: server.port)
            let failed = try await client.request("GET", "/throw")
            #expect(failed.status == 500)
            #expect(failed.text.contains("error id"))
            #expect(try await client.request("GET", "/ok").status == 200)
        }
    }

    @Test func answersHeadWithHeadersAndNoBody() async throws {
        try await TestServer.with(Self.echo) { server in
            let client = try RawClient(port: server.port)
            let head = try await client.request("HEAD", "/abc")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "\("path /abc".utf8.count)")
            #expect(head.body.isEmpty)
            #expect(try await client.request("GET", "/next").text == "path /next")
        }
    }

    @Test func honoursConnectionCloseAndHTTP10() async throws {
        try await TestServer.with(Self.echo) { server in
            let closing = try RawClient(port: server.port)
            let response = try await closing.request("GET", "/", headers: [("Connection", "close")])
            #expect(response.header("Connection") == "close")
            #expect((await closing.isClosedByServer()))

            let old = try RawClient(port: server.port)
            try await old.send("GET /old HTTP/1.0\r\n\r\n")
            #expect(try await old.readResponse().text == "path /old")
            #expect((await old.isClosedByServer()))

            let oldKeepAlive = try RawClient(port: server.port)
            try await oldKeepAlive.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try await oldKeepAlive.readResponse().header("Connection") == "keep-alive")
            try await oldKeepAlive.send("GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try await oldKeepAlive.readResponse().text == "path /b")
        }
    }

    @Test func streamsChunkedResponses() async throws {
        let handler: @Sendable (Request) async throws -> Response = { _ in
            Response(body: .stream(ResponseStream(length: nil) { writer in
                for index in 0..<100 { try await writer.write(Array("line \(index)\n".utf8)) }
            }))
        }
        try await TestServer.with(handler) { server in
            let client = try RawClient(port: server.port)
            let response = try await client.request("GET", "/")
            #expect(response.header("Transfer-Encoding") == "chunked")
            #expect(response.text.hasPrefix("line 0\nline 1\n"))
            #expect(response.text.hasSuffix("line 99\n"))
            #expect(try await client.request("GET", "/again").status == 200)
        }
    }

    @Test func aClientThatStopsReadingCannotPinServerMemory() async throws {
        let produced = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        let handler: @Sendable (Request) async throws -> Response = { _ in
            Response(body: .stream(ResponseStream(length: nil) { writer in
                let chunk = [UInt8](repeating: 65, count: 64 * 1024)
                do {
                    for _ in 0..<4096 {  // 256 MiB if nothing pushed back
                        try await writer.write(chunk)
                        produced.add(chunk.count, ordering: .relaxed)
                    }
                } catch {
                    failed.store(true, ordering: .relaxed)
                    throw error
                }
            }))
        }
        try await TestServer.with(configure: { $0.writeTimeout = .seconds(1) }, handler) { server in
            let client = try RawClient(port: server.port)
            try await client.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n")
            // Never read. The producer must be held back by the socket buffers, then cut off by the write timeout.
            let deadline = ContinuousClock.now + .seconds(15)
            while !failed.load(ordering: .relaxed) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(100))
            let producedBytes = produced.load(ordering: .relaxed)
            let producerFailed = failed.load(ordering: .relaxed)
            #expect(producedBytes < 32 * 1024 * 1024)
            #expect(producerFailed)
            #expect(server.connectionCount == 0)
        }
    }

    @Test func finishesInFlightRequestsOnGracefulShutdown() async throws {
        // The in-flight request is held until the server is draining, however late a loaded machine starts
        // the shutdown task (seen: over 1.4 s in a full parallel suite), so its answer must say Connection: close.
        final class Gate: Sendable {
            let isOpen = Atomic<Bool>(false)
            let (entered, enter) = AsyncStream<Void>.makeStream()
        }
        let gate = Gate()
        var configuration = PollerUnderTest.configuration()
        configuration.shutdownTimeout = .seconds(30)
        let server = Server(configuration: configuration) { request in
            guard request.path == "/held" else { return try await Self.echo(request) }
            gate.enter.yield()
            while !gate.isOpen.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(5)) }
            return .text("held done")
        }
        try server.start()
        let busy = try RawClient(port: server.port)
        let idle = try RawClient(port: server.port)
        #expect(try await idle.request("GET", "/").status == 200)
        try await busy.send("GET /held HTTP/1.1\r\nHost: a\r\n\r\n")
        for await _ in gate.entered { break }  // the request is in its handler
        let started = ContinuousClock.now
        async let stopping: Void = server.shutdown()
        #expect((await idle.isClosedByServer()))  // idle connections close at once
        // The listeners close as soon as every loop has let go of them: new connections are refused.
        var refused = false
        while !refused && ContinuousClock.now - started < .seconds(10) {
            do { _ = try RawClient(port: server.port, timeout: 1) } catch { refused = true }
            if !refused { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(refused)
        #expect(server.isDraining)
        gate.isOpen.store(true, ordering: .releasing)
        let response = try await busy.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "held done")
        #expect(response.header("Connection") == "close")
        await stopping
        // Done with the request plus the 2 s lingering close (this client never closes), far from the 30 s deadline.
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func forceClosesAtTheShutdownDeadline() async throws {
        var configuration = PollerUnderTest.configuration()
        configuration.shutdownTimeout = .milliseconds(300)
        let (entered, enter) = AsyncStream<Void>.makeStream()
        let server = Server(configuration: configuration) { request in
            enter.yield()
            return try await Self.echo(request)
        }
        try server.start()
        let busy = try RawClient(port: server.port)
        try await busy.send("GET /slow?ms=60000 HTTP/1.1\r\nHost: a\r\n\r\n")
        for await _ in entered { break }  // the request is in its handler
        let started = ContinuousClock.now
        await server.shutdown()
        // The request would take 60 s; shutdown must give up on it at the 300 ms deadline. The bound is
        // loose because the whole suite shares 2 cores with child processes: a resumed task can wait
        // its turn for seconds (12 s seen for tests that normally take milliseconds).
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect((await busy.isClosedByServer()))
    }

    @Test func listensOnIPv4AndIPv6() async throws {
        try await TestServer.with(configure: { $0.host = "localhost" }, Self.echo) { (server: Server) async throws in
            let families = Set(server.addresses.map(\.family))
            #expect(families.contains(AF_INET))
            #expect(try await RawClient(port: server.port).request("GET", "/v4").status == 200)
            if families.contains(AF_INET6) {
                #expect(try await RawClient(port: server.port, ipv6: true).request("GET", "/v6").status == 200)
            }
        }
    }

    @Test func reusePortLetsASecondServerBindWhileTheFirstDrains() async throws {
        var first = PollerUnderTest.configuration()
        first.reusePort = true
        let old = Server(configuration: first, handler: { _ in .text("old") })
        try old.start()
        var second = PollerUnderTest.configuration(port: old.port)
        second.reusePort = true
        let new = Server(configuration: second, handler: { _ in .text("new") })
        try new.start()  // would fail with EADDRINUSE without SO_REUSEPORT
        await old.shutdown()
        for _ in 0..<5 {
            #expect(try await RawClient(port: old.port).request("GET", "/").text == "new")
        }
        await new.shutdown()
    }

    @Test func refusesASecondServerOnTheSamePortWithoutReusePort() async throws {
        try await TestServer.with(Self.echo) { server in
            let clash = Server(configuration: PollerUnderTest.configuration(port: server.port), handler: Self.echo)
            #expect(throws: ServerError.self) { try clash.start() }
        }
    }
}
