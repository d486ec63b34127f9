// The benchmark server: the TechEmpower test types (plaintext, json, db, queries, fortunes, updates)
// plus POST /write, on Croft's own server, router, templates and SQLite pool, kept apart from the
// starter site. `Benchmarks/run` starts a release build of it pinned to one core and measures it with
// wrk next to the peers in ../shared/bench.
//
// Environment: PORT (8000), HOST (127.0.0.1), DB (the SQLite file made by ../shared/bench/mkdb.py plus
// Benchmarks/add_fortunes.py; without it the database endpoints answer 503), LOG_LEVEL (warning),
// HANDLERS_ON_LOOP=1 (run handlers on the connection's event loop instead of the global pool).
import Croft
import Foundation

struct Message: Encodable {
    let message: String
}

struct Created: Encodable {
    let id: Int64
}

let environment = ProcessInfo.processInfo.environment
let port = Int(environment["PORT"] ?? "") ?? 8000
let routes = RouterBuilder()
let plaintextBody = Array("Hello, World!".utf8)

let logger: Logger = {
    var logger = Logger(label: "croft.bench")
    logger.logLevel = Logger.Level(rawValue: ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "") ?? .warning
    return logger
}()

/// Serialized per request with Foundation's encoder, as the TechEmpower rules require.
@Sendable func json(_ value: some Encodable, status: HTTPStatus = .ok) throws -> Response {
    let data = try JSONEncoder().encode(value)
    return Response(status: status, headers: ["Content-Type": "application/json"], body: .bytes(Array(data)))
}

try routes.get("/plaintext") { _ in
    Response(headers: ["Content-Type": "text/plain"], body: .bytes(plaintextBody))
}

try routes.get("/json") { _ in
    try json(Message(message: "Hello, World!"))
}

// The pool: one writer, readers = cores (at least 2), production pragmas (DatabaseConfiguration).
let pool: DatabasePool? = try environment["DB"].map { try DatabasePool(path: $0) }
if pool == nil { logger.warning("DB is not set: /db, /queries, /fortunes, /updates and /write answer 503") }
let templates = TemplateEnvironment(loader: Fortune.templates)
_ = try templates.precompileAll()

/// The pool, or a 503 when the server was started without a database.
func database() throws -> DatabasePool {
    guard let pool else { throw HTTPError(.serviceUnavailable, message: "no database: set DB") }
    return pool
}

try routes.get("/db") { _ in
    let world = try await database().read { db in
        var random = FastRandom()
        return try World.fetch(id: random.worldID(), from: db)
    }
    guard let world else { throw HTTPError(.notFound, message: "no such world") }
    return try json(world)
}

try routes.get("/queries") { request in
    let count = QueryCount.from(request)
    let worlds = try await database().read { db in try World.fetchRandom(count, from: db) }
    return try json(worlds)
}

try routes.get("/fortunes") { _ in
    var fortunes = try await database().read { db in try Fortune.fetchAll(from: db) }
    fortunes.append(Fortune.additional)
    fortunes.sort { $0.message < $1.message }
    let html = try templates.render("fortunes.html", context: Fortune.context(fortunes))
    return Response(headers: ["Content-Type": "text/html; charset=utf-8"], body: .bytes(Array(html.utf8)))
}

try routes.get("/updates") { request in
    let count = QueryCount.from(request)
    // Read, change and write in one BEGIN IMMEDIATE transaction on the writer: no lost updates and
    // one trip to the writer's queue per request.
    let worlds = try await database().write { db in
        var worlds = try World.fetchRandom(count, from: db)
        var random = FastRandom()
        let update = try db.cachedStatement(World.updateRandomNumber)
        for index in worlds.indices {
            worlds[index].randomNumber = random.worldID()
            try update.bind(.integer(Int64(worlds[index].randomNumber)), at: 1)
            try update.bind(.integer(Int64(worlds[index].id)), at: 2)
            defer { update.reset() }
            try update.step()
        }
        return worlds
    }
    return try json(worlds)
}

// Like the peers' POST /write (../shared/bench/write.lua): the body goes into `log` in BEGIN IMMEDIATE.
try routes.post("/write") { request in
    let body = request.bodyText
    let id = try await database().write { db in
        try db.execute("INSERT INTO log(body) VALUES (?)", body)
        return db.lastInsertedRowID
    }
    return try json(Created(id: id), status: .created)
}

let router = routes.build()

var configuration = ServerConfiguration(host: environment["HOST"] ?? "127.0.0.1", port: port)
configuration.keepAliveTimeout = .seconds(120)
// The idle-connection test opens 10,000 connections from one loopback address: above the per-client default.
configuration.maxConnections = 20_000
configuration.maxConnectionsPerAddress = 20_000
if let onLoop = environment["HANDLERS_ON_LOOP"] { configuration.handlersRunOnEventLoop = onLoop == "1" }
let server = Server(configuration: configuration, logger: logger) { request in
    switch router.match(request.method, path: request.path) {
    case .found(let route, let parameters):
        var request = request
        request.parameters = parameters
        do {
            return try await route.handler(request)
        } catch let error as HTTPError {
            return .text(error.message, status: error.status)
        } catch {
            logger.error("\(request.method) \(request.path): \(error)")
            return .text("internal error", status: .internalServerError)
        }
    case .methodNotAllowed:
        return .text("method not allowed", status: .methodNotAllowed)
    case .notFound:
        return .text("not found", status: .notFound)
    }
}
try server.start()
// One line on stderr whatever LOG_LEVEL says: Benchmarks/run checks which poller it measures.
FileHandle.standardError.write(Data("croft-bench: port \(server.port), \(configuration.poller.rawValue) poller\n".utf8))
try await server.run()
pool?.close()
