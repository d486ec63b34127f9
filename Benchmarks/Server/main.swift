// The benchmark server: TechEmpower-style endpoints on Croft's own server and router, kept apart from the
// starter site. `Benchmarks/http.sh` starts a release build of it pinned to one core and measures it with wrk
// next to the peers in ../shared/bench.
import Croft
import Foundation

struct Message: Encodable {
    let message: String
}

let environment = ProcessInfo.processInfo.environment
let port = Int(environment["PORT"] ?? "") ?? 8000
let router = Router()
let plaintextBody = Array("Hello, World!".utf8)

try router.get("/plaintext") { _ in
    Response(headers: ["Content-Type": "text/plain"], body: .bytes(plaintextBody))
}

try router.get("/json") { _ in
    // Serialized per request, as the TechEmpower rules require.
    let data = try JSONEncoder().encode(Message(message: "Hello, World!"))
    return Response(headers: ["Content-Type": "application/json"], body: .bytes(Array(data)))
}

var logger = Logger(label: "croft.bench")
logger.logLevel = Logger.Level(rawValue: environment["LOG_LEVEL"] ?? "") ?? .warning
var configuration = ServerConfiguration(host: environment["HOST"] ?? "127.0.0.1", port: port)
configuration.keepAliveTimeout = .seconds(120)
let server = Server(configuration: configuration, logger: logger) { request in
    switch router.match(request.method, path: request.path) {
    case .found(let route, let parameters):
        var request = request
        request.parameters = parameters
        return try await route.handler(request)
    case .methodNotAllowed:
        return .text("method not allowed", status: .methodNotAllowed)
    case .notFound:
        return .text("not found", status: .notFound)
    }
}
try await server.run()
