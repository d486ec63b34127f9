// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Croft",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Croft", targets: ["Croft"]),
        .library(name: "CroftTemplates", targets: ["CroftTemplates"]),
        .library(name: "CroftSQL", targets: ["CroftSQL"]),
        .executable(name: "app", targets: ["app"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
    ],
    targets: [
        // A few lines of C over Linux's epoll and eventfd (ENOSYS stubs elsewhere).
        .target(name: "CCroftSystem"),
        // The few algorithms the layers below share (percent-encoding, snake_case, core count): one copy each.
        .target(name: "CroftCore", dependencies: ["CCroftSystem"]),
        // HTTP/1.1 on plain sockets, polled by epoll or Dispatch sources: parser, connection state machine,
        // Request/Response, Server, static files. No NIO.
        .target(name: "CroftHTTP", dependencies: ["CCroftSystem", "CroftCore", .product(name: "Logging", package: "swift-log")]),
        // libsqlite3 through pkg-config (Debian: libsqlite3-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // SQLite done right: pool, pragmas, IMMEDIATE writes, rows, models, migrations, backups. Knows no HTTP.
        .target(name: "CroftSQL", dependencies: ["CSQLite", "CroftCore", .product(name: "Crypto", package: "swift-crypto")]),
        // A child process for CroftSQL's multi-process tests (concurrent writers, kill -9, concurrent migrate).
        .executableTarget(name: "croft-sql-testhelper", dependencies: ["CroftSQL"]),
        // Django-style templates: lexer, parser, node tree, renderer, filters, loaders. Knows no HTTP.
        .target(name: "CroftTemplates", dependencies: ["CroftCore"]),
        // libcurl through pkg-config (Debian: libcurl4-openssl-dev): the Mailer's SMTP client (STARTTLS,
        // implicit TLS, AUTH). SMTP is not ours to write; typed wrappers for its variadic calls in shim.h.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The framework: Application, Router, Middleware, Settings; re-exports the modules above.
        .target(name: "Croft", dependencies: [
            "CCroftSystem", "CCurl", "CroftHTTP", "CroftTemplates", "CroftSQL",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
        ]),
        // A child process for the job tests: workers in other processes, one to kill -9 mid-job.
        .executableTarget(name: "croft-jobs-testhelper", dependencies: ["Croft"]),
        // The starter site a user edits.
        .target(name: "App", dependencies: ["Croft"]),
        // The command-line entry point: serve, routes, ...
        // Its folder is Sources/CLI, not Sources/app: next to Sources/App it would collide on a
        // case-insensitive file system (macOS's default).
        .executableTarget(name: "app", dependencies: [
            "App", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Sources/CLI"),
        // The benchmark server (TechEmpower endpoints), kept out of the starter site.
        .executableTarget(name: "croft-bench", dependencies: ["Croft"], path: "Benchmarks/Server"),
        // Cache and job-queue throughput (docs/benchmarks.md): swift run -c release croft-ops-bench
        .executableTarget(name: "croft-ops-bench", dependencies: ["Croft"], path: "Benchmarks/Ops"),
        // Test support: a raw socket client, a server on an ephemeral port, temp directories.
        .target(name: "CroftTesting", dependencies: ["CroftHTTP", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "CroftHTTPTests", dependencies: ["CroftHTTP", "CroftTesting"]),
        .testTarget(name: "CroftSQLTests", dependencies: ["CroftSQL", "croft-sql-testhelper"]),
        // Django/ holds the parity fixtures (cases, Django's output, the generator script): read at test time.
        .testTarget(name: "CroftTemplatesTests", dependencies: ["CroftTemplates"], exclude: ["Django"]),
        .testTarget(name: "CroftTests", dependencies: ["Croft", "CroftTesting", "croft-jobs-testhelper"]),
        .testTarget(name: "AppTests", dependencies: ["App", "app", "CroftTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
