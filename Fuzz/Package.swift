// swift-tools-version:6.1
// libFuzzer harnesses for every decoder of untrusted bytes (DESIGN.md, "Untrusted input").
// Build and run them with `Fuzz/run`; see Fuzz/README.md.
import PackageDescription

/// One executable per decoder. `-parse-as-library`: the file has no top-level code, only `LLVMFuzzerTestOneInput`
/// and the `<module>_main` entry point that SwiftPM aliases `main` to on Linux, which hands over to libFuzzer's
/// driver (linked by `-sanitize=fuzzer`, which `Fuzz/run` passes).
func fuzzTarget(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport", .product(name: "Croft", package: "Croft")],
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "CroftFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Croft", path: ".."),
    ],
    targets: [
        // libFuzzer's LLVMFuzzerRunDriver, declared for Swift.
        .target(name: "CLibFuzzer"),
        // What every harness shares: the entry point, reading control bytes, invariant checks that trap.
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
        fuzzTarget("fuzz-http-parser"),
        fuzzTarget("fuzz-form"),
        fuzzTarget("fuzz-cookies"),
        fuzzTarget("fuzz-query"),
        fuzzTarget("fuzz-static-files"),
        fuzzTarget("fuzz-templates"),
        fuzzTarget("fuzz-multipart"),
    ],
    swiftLanguageModes: [.v6]
)
