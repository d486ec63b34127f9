import Foundation
import Testing
@testable import Croft

@Suite struct OperationsMiddlewareTests {
    let directory: OperationsDirectory

    init() throws {
        directory = try OperationsDirectory()
    }

    @Test func maintenanceModeRefusesWritesWith503AndKeepsServingReads() async throws {
        let builder = ApplicationBuilder(settings: Settings(environment: ["ALLOWED_HOSTS": "*"]))
        let mode = MaintenanceMode(dataDirectory: directory.path)
        builder.use(MaintenanceMiddleware(mode: mode, retryAfter: 120))
        try builder.router.get("/notes") { _ in .text("notes") }
        try builder.router.post("/notes") { _ in .text("created", status: .created) }
        let app = builder.build()
        #expect(await app.respond(to: Request(method: .post, target: "/notes")).status == .created)
        try mode.enable(reason: "restore")
        let refused = await app.respond(to: Request(method: .post, target: "/notes"))
        #expect(refused.status == .serviceUnavailable)
        #expect(refused.headers["Retry-After"] == "120")
        #expect(await app.respond(to: Request(method: .get, target: "/notes")).status == .ok)
        #expect(mode.reason?.hasPrefix("restore") == true)
        try mode.disable()
        #expect(await app.respond(to: Request(method: .post, target: "/notes")).status == .created)
    }

    @Test func pageCacheServesAnonymousGetsFromTheCacheOnly() async throws {
        let cache = try Cache(path: directory.file("cache.sqlite3"))
        defer { cache.close() }
        let builder = ApplicationBuilder(settings: Settings(environment: ["ALLOWED_HOSTS": "*"]))
        let calls = Counter()
        try builder.router.add(.get, "/about", middleware: [PageCacheMiddleware(cache: cache, ttl: .seconds(60))]) { _ in
            calls.value.add(1, ordering: .relaxed)
            return .html("<h1>About</h1>")
        }
        let app = builder.build()
        let first = await app.respond(to: Request(method: .get, target: "/about"))
        let second = await app.respond(to: Request(method: .get, target: "/about"))
        #expect(first.headers["X-Cache"] == "MISS" && second.headers["X-Cache"] == "HIT")
        #expect(second.body.text == "<h1>About</h1>" && second.headers["Content-Type"] == "text/html; charset=utf-8")
        var signedIn = Request(method: .get, target: "/about")
        signedIn.headers.add(name: "Cookie", value: "croft_session=abc")
        #expect(await app.respond(to: signedIn).headers["X-Cache"] == nil)
        #expect(calls.value.load(ordering: .relaxed) == 2)
    }

    @Test func walMonitorTruncatesWhenIdle() async throws {
        let pool = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { pool.close() }
        try await pool.write { db in
            try db.execute("CREATE TABLE t (x)")
            for n in 0..<200 { try db.execute("INSERT INTO t VALUES (?)", n) }
        }
        let monitor = WALMonitor(database: pool, warningBytes: 1)
        guard case .passive = try await monitor.tick(idle: false) else { Issue.record("expected passive"); return }
        guard case .truncated = try await monitor.tick(idle: true) else { Issue.record("expected truncate"); return }
        #expect(Doctor.fileSize(pool.path + "-wal") == 0)
    }

    @Test func doctorReadsTheMountTableAndFindsMissingBackups() throws {
        let mountInfo = """
            22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
            90 22 0:50 / /srv/data rw - nfs4 server:/export rw
            91 22 0:51 / /var/lib/docker/overlay rw - overlay overlay rw
            """
        #expect(FileSystemKind.fsType(of: "/srv/data/db.sqlite3", mountInfo: mountInfo) == "nfs4")
        #expect(FileSystemKind.fsType(of: "/srv/database", mountInfo: mountInfo) == "ext4")
        #expect(FileSystemKind.kind(fsType: "nfs4") == .network("nfs4"))
        #expect(FileSystemKind.kind(fsType: "fuse.sshfs") == .fuse("fuse.sshfs"))
        #expect(FileSystemKind.kind(fsType: "overlay") == .overlay)
        let doctor = Doctor(dataDirectory: directory.path, databasePath: directory.file("db.sqlite3"),
                            backups: BackupStore(directory: directory.file("backups")))
        let findings = doctor.run()
        #expect(findings.map(\.check) == ["settings", "filesystem", "writable", "modes", "wal", "disk", "holders", "backups"])
        #expect(findings.first { $0.check == "settings" }?.severity == .ok)
        #expect(findings.first { $0.check == "backups" }?.severity == .warning)
        #expect(findings.first { $0.check == "writable" }?.severity == .ok)
    }

    @Test func aRestoreLockExcludesServersAndServersShareIt() throws {
        let path = ProcessLock.path(dataDirectory: directory.path)
        let server = try #require(try ProcessLock.acquire(path: path, exclusive: false))
        let worker = try ProcessLock.acquire(path: path, exclusive: false)
        #expect(worker != nil)
        #expect(try ProcessLock.acquire(path: path, exclusive: true) == nil)
        server.release()
        worker?.release()
        #expect(try ProcessLock.acquire(path: path, exclusive: true) != nil)
    }
}

/// The page cache with real sessions: two visitors, one signed in.
@Suite struct PageCacheSessionTests {
    @Test func aSignedInPageIsNeverCachedOrServedToAnotherVisitor() async throws {
        let directory = try OperationsDirectory()
        let cache = try Cache(path: directory.file("cache.sqlite3"))
        let database = try DatabasePool(path: directory.file("db.sqlite3"))
        defer { cache.close(); database.close() }
        try await database.write { db in try db.executeScript(SessionStore.createTableSQL) }
        let builder = ApplicationBuilder(settings: Settings(environment: ["ALLOWED_HOSTS": "*"]))
        builder.use(SessionMiddleware(store: SessionStore(database: database), trustedProxies: []))
        try builder.router.add(.get, "/", middleware: [PageCacheMiddleware(cache: cache)]) { request in
            .html("<p>hello \(request.session?["name"] ?? "stranger")</p>")
        }
        try builder.router.get("/login") { request in
            request.session?["name"] = "alice@example.com"
            return .text("signed in")
        }
        try builder.router.add(.get, "/form", middleware: [PageCacheMiddleware(cache: cache)]) { request in
            .html("<input name=csrf_token value=\(request.session?.id ?? "")>")
        }
        // Alice signs in: her cookie is croft_session, which the page cache once did not know (it looked for
        // "session"), so her page was stored and served to the next anonymous visitor.
        let app = builder.build()
        let login = await app.respond(to: Request(method: .get, target: "/login"))
        let cookie = try #require(login.headers["Set-Cookie"]?.split(separator: ";").first.map(String.init))
        #expect(cookie.hasPrefix("croft_session="))
        let alice = await app.respond(to: Request(method: .get, target: "/", headers: ["Cookie": cookie]))
        #expect(alice.body.text.contains("alice@example.com") && alice.headers["X-Cache"] == nil)
        let anonymous = await app.respond(to: Request(method: .get, target: "/"))
        #expect(anonymous.body.text == "<p>hello stranger</p>" && anonymous.headers["X-Cache"] == "MISS")
        #expect(await app.respond(to: Request(method: .get, target: "/")).headers["X-Cache"] == "HIT")
        // A page that gave an anonymous visitor a session (a CSRF token) is not stored for the next one.
        let first = await app.respond(to: Request(method: .get, target: "/form"))
        let second = await app.respond(to: Request(method: .get, target: "/form"))
        #expect(first.body.text != second.body.text && second.headers["X-Cache"] == "MISS")
    }
}
