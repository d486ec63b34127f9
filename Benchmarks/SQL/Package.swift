// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "SQLBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Croft", path: "../.."),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "SQLBenchmark",
            dependencies: [
                .product(name: "CroftSQL", package: "Croft"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/SQLBenchmark"
        ),
    ],
    swiftLanguageModes: [.v6]
)
