// swift-tools-version:6.1
import PackageDescription

/// Renders the same pages with CroftTemplates, Stencil and swift-mustache and prints renders/s.
/// Build and run: swift run -c release --scratch-path .build-bench
let package = Package(
    name: "TemplateBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Croft", path: "../.."),
        .package(url: "https://github.com/stencilproject/Stencil.git", from: "0.15.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        .executableTarget(
            name: "TemplateBenchmarks",
            dependencies: [
                .product(name: "CroftTemplates", package: "Croft"),
                .product(name: "Stencil", package: "Stencil"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
