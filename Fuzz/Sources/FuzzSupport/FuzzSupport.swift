/// What the harnesses share. Nothing here decodes input itself: it only slices it and checks properties.
import CLibFuzzer

/// The body of each harness's entry point: libFuzzer's own `main`, with `test` as the target.
///
/// On Linux SwiftPM links an executable with `main` aliased to `<module>_main` (so executables can be
/// tested), which would leave libFuzzer's `main` unused and the alias undefined. Each harness therefore
/// defines `<module>_main` with `@_cdecl` and calls this; built any other way, libFuzzer's `main` runs
/// `LLVMFuzzerTestOneInput` directly and that function is never called.
public func libFuzzerMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
    _ test: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, test)
}

/// Traps with `message` when `condition` is false, so libFuzzer saves the input as a crash artifact.
///
/// A harness uses this for properties of the code under test (a decoder must never answer this way), never
/// for its own assumptions about the input: a trap here is a bug in `Sources/`, named by the message.
@inline(never)
public func invariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError("fuzz invariant violated: \(message())", file: file, line: line) }
}

/// One libFuzzer input: the first `controlCount` bytes steer the harness (chunk sizes, flags, limits), the rest
/// is what the decoder sees. Inputs shorter than that steer with zeros and decode nothing.
public struct FuzzInput: Sendable {
    /// The steering bytes, always `controlCount` of them.
    public let control: [UInt8]
    /// The bytes handed to the decoder.
    public let payload: [UInt8]

    public init(_ data: UnsafePointer<UInt8>, _ size: Int, controlCount: Int) {
        let all = Array(UnsafeBufferPointer(start: data, count: size))
        let split = min(controlCount, all.count)
        control = Array(all[..<split]) + Array(repeating: 0, count: controlCount - split)
        payload = Array(all[split...])
    }

    /// The whole input as the decoder's bytes, with no control bytes.
    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        self.init(data, size, controlCount: 0)
    }
}

/// Short, printable rendering of bytes for invariant messages (`\r`, `\n`, `\xNN`), cut at `limit` bytes.
public func describe(_ bytes: some Collection<UInt8>, limit: Int = 200) -> String {
    var out = ""
    for byte in bytes.prefix(limit) {
        switch byte {
        case 13: out += "\\r"
        case 10: out += "\\n"
        case 9: out += "\\t"
        case 92: out += "\\\\"
        case 32..<127: out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    if bytes.count > limit { out += "...(\(bytes.count) bytes)" }
    return out
}

/// Splits `bytes` into lines at LF (a trailing CR is kept: the decoder decides what it means).
public func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.split(separator: 10, omittingEmptySubsequences: false)
}

/// UTF-8 text as Swift sees it everywhere else (invalid sequences become U+FFFD), like `Request.bodyText`.
public func text(_ bytes: some Collection<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}
