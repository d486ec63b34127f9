import CroftTesting
import Foundation
import Testing
@testable import Croft

@Suite struct StaticFilesTests {
    let directory: TemporaryDirectory
    let outside: TemporaryDirectory
    let app: Application

    init() throws {
        directory = try TemporaryDirectory()
        outside = try TemporaryDirectory()
        let root = directory.path + "/Public"
        try FileManager.default.createDirectory(atPath: root + "/css", withIntermediateDirectories: true)
        try "body { color: red }".write(toFile: root + "/css/app.css", atomically: true, encoding: .utf8)
        try "0123456789".write(toFile: root + "/digits.txt", atomically: true, encoding: .utf8)
        try "SECRET".write(toFile: outside.path + "/secret.txt", atomically: true, encoding: .utf8)
        try "SECRET".write(toFile: directory.path + "/private.txt", atomically: true, encoding: .utf8)
        try "KEY=1".write(toFile: root + "/.env", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/escape.txt", withDestinationPath: outside.path + "/secret.txt")
        try FileManager.default.createSymbolicLink(atPath: root + "/linked", withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: root + "/inside.txt", withDestinationPath: root + "/digits.txt")
        let big = [UInt8]((0..<(1 << 20)).map { UInt8($0 % 251) })
        _ = FileManager.default.createFile(atPath: root + "/big.bin", contents: Data(big))
        let builder = ApplicationBuilder(settings: Settings(environment: ["BASE_DIR": directory.path, "ALLOWED_HOSTS": "*"]))
        try builder.serveStatic(prefix: "/static", directory: root)
        app = builder.build()
    }

    private func get(_ target: String, _ headers: HTTPHeaders = [:]) async -> Response {
        await app.respond(to: Request(method: .get, target: target, headers: headers))
    }

    @Test func servesWithTypeValidatorsAndCaching() async {
        let response = await get("/static/css/app.css")
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"] == "text/css; charset=utf-8")
        #expect(response.headers["ETag"] != nil)
        #expect(response.headers["Last-Modified"] != nil)
        #expect(response.headers["Cache-Control"] == "public, max-age=3600")
        #expect(response.body.text == "body { color: red }")
        // Only the file's own content hash (what {% static %} writes) is cached for a year.
        let url = app.staticAssets.url(for: "css/app.css")
        #expect(url.hasPrefix("/static/css/app.css?v="))
        #expect(await get(url).headers["Cache-Control"] == "public, max-age=31536000, immutable")
        for other in ["/static/css/app.css?v=abc123", "/static/css/app.css?v=", "/static/digits.txt?" + url.split(separator: "?")[1]] {
            #expect(await get(other).headers["Cache-Control"] == "public, max-age=3600", "\(other)")
        }
    }

    @Test func answers304ForMatchingValidators() async throws {
        let first = await get("/static/css/app.css")
        let etag = try #require(first.headers["ETag"])
        #expect(await get("/static/css/app.css", ["If-None-Match": etag]).status == .notModified)
        #expect(await get("/static/css/app.css", ["If-None-Match": "\"other\", \(etag)"]).status == .notModified)
        #expect(await get("/static/css/app.css", ["If-None-Match": "\"other\""]).status == .ok)
        let modified = try #require(first.headers["Last-Modified"])
        #expect(await get("/static/css/app.css", ["If-Modified-Since": modified]).status == .notModified)
        #expect(await get("/static/css/app.css", ["If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"]).status == .ok)
    }

    static let ranges: [(String, Int, String?, String?)] = [
        ("bytes=0-3", 206, "0123", "bytes 0-3/10"),
        ("bytes=5-", 206, "56789", "bytes 5-9/10"),
        ("bytes=-3", 206, "789", "bytes 7-9/10"),
        ("bytes=8-100", 206, "89", "bytes 8-9/10"),
        ("bytes=10-12", 416, nil, "bytes */10"),
        ("bytes=0-1,4-5", 200, "0123456789", nil),
        ("items=0-1", 200, "0123456789", nil),
    ]

    @Test(arguments: ranges)
    func servesByteRanges(_ testCase: (String, Int, String?, String?)) async {
        let response = await get("/static/digits.txt", ["Range": testCase.0])
        #expect(response.status.code == testCase.1)
        if let body = testCase.2 { #expect(response.body.text == body) }
        #expect(response.headers["Content-Range"] == testCase.3)
    }

    static let traversals = [
        "/static/../private.txt", "/static/%2e%2e/private.txt", "/static/css/%2E%2E/%2E%2E/private.txt",
        "/static/..%2fprivate.txt", "/static/escape.txt", "/static/linked/secret.txt", "/static/.env",
        "/static/css", "/static/missing.css", "/static/digits.txt%00.css", "/static/",
    ]

    @Test(arguments: traversals)
    func neverServesAnythingOutsideTheRoot(_ target: String) async {
        let response = await get(target)
        #expect(response.status == .notFound, "\(target)")
        #expect(!response.body.text.contains("SECRET"))
    }

    @Test func followsSymlinksThatStayInside() async {
        #expect(await get("/static/inside.txt").body.text == "0123456789")
    }

    @Test func streamsLargeFilesAndRangesOverARealSocket() async throws {
        let app = self.app
        try await TestServer.with({ request in await app.respond(to: request) }) { server in
            // A streamed body waits on the cooperative pool, which a full parallel run keeps busy for seconds.
            let client = try RawClient(port: server.port, timeout: 30)
            let whole = try await client.request("GET", "/static/big.bin")
            #expect(whole.status == 200)
            #expect(whole.body.count == 1 << 20)
            #expect(whole.body[300_000] == UInt8(300_000 % 251))
            let part = try await client.request("GET", "/static/big.bin", headers: [("Range", "bytes=500000-500009")])
            #expect(part.status == 206)
            #expect(part.body == (500_000..<500_010).map { UInt8($0 % 251) })
            let head = try await client.request("HEAD", "/static/big.bin")
            #expect(head.header("Content-Length") == "\(1 << 20)")
            #expect(head.body.isEmpty)
        }
    }
}
