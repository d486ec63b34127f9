// fuzz-multipart: the sans-IO `multipart/form-data` parser (MultipartParser), on any body.
//
// Input layout: 2 control bytes, then the body. Control byte 0: the read size, `((c & 0x1F) + 1) << (c >> 5)`
// (1 to 4,096 bytes; the body is also read whole); control byte 1: tiny limits when its low bit is set (a few
// parts, short headers and parts, so each limit is reached), the defaults otherwise. The boundary is "b1".
import Croft
import FuzzSupport

struct Outcome: Equatable {
    var parts: [(head: MultipartPartHead, content: [UInt8])] = []
    var error: MultipartError?

    /// The same refusal, or the same parts. (A refused body's events differ with the reading: those of the
    /// read that fails are not returned, and the request is refused whole anyway.)
    static func == (left: Outcome, right: Outcome) -> Bool {
        guard left.error == nil, right.error == nil else { return left.error == right.error }
        return left.parts.map(\.head) == right.parts.map(\.head)
            && zip(left.parts, right.parts).allSatisfy { $0.content == $1.content }
    }
}

let boundary = "b1"
let delimiter = Array("\r\n--\(boundary)".utf8)

/// Feeds `body` in pieces of `size` and records the parts, checking the event order and what data may hold.
func parse(_ body: [UInt8], size: Int, limits: MultipartLimits) -> Outcome {
    var outcome = Outcome()
    var parser = try! MultipartParser(boundary: boundary, limits: limits)  // a constant, valid boundary
    var open = false
    var index = 0
    do {
        while index < body.count {
            let end = index + min(size, body.count - index)
            for event in try parser.consume(body[index..<end]) {
                switch event {
                case .partStart(let head):
                    invariant(!open, "a part started inside another")
                    invariant(outcome.parts.count < limits.maxParts, "more parts than the limit")
                    if let filename = head.filename {
                        invariant(!filename.contains { $0 == "/" || $0 == "\\" || $0 == "\0" || $0 == "\r" || $0 == "\n" },
                                  "a file name with a path or control character: \(filename)")
                        invariant(filename.utf8.count <= 255 && filename != "." && filename != "..", "a bad file name: \(filename)")
                    }
                    outcome.parts.append((head, []))
                    open = true
                case .partData(let data):
                    invariant(open, "data outside a part")
                    invariant(!data.isEmpty, "an empty data event")
                    outcome.parts[outcome.parts.count - 1].content += data
                case .partEnd:
                    invariant(open, "a part ended that had not started")
                    open = false
                }
            }
            index = end
        }
        try parser.finish()
        invariant(!open, "the body finished inside a part")
    } catch {
        outcome.error = error
        invariant(error.status == 400 || error.status == 413, "\(error) is not a 400 or 413")
        // A refusal is final.
        do {
            _ = try parser.consume([0x41])
            invariant(false, "a refused parser accepted more bytes")
        } catch {
            invariant(error == outcome.error!, "a refused parser threw \(error), not \(outcome.error!)")
        }
    }
    for part in outcome.parts {
        // The content never holds a delimiter: it would have ended the part there.
        invariant(part.content.count < delimiter.count || !contains(part.content, delimiter), "a part's content holds the delimiter")
        let limit = part.head.filename == nil ? limits.maxFieldSize : limits.maxFileSize
        invariant(part.content.count <= limit, "a part of \(part.content.count) bytes passed its limit of \(limit)")
    }
    return outcome
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { start in haystack[start..<(start + needle.count)].elementsEqual(needle) }
}

/// Parts written by a client and read back are the same parts.
func checkRoundTrip(_ body: [UInt8]) {
    let content = Array(body.prefix(64))
    let written = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n\r\n".utf8) + content
        + Array("\r\n--\(boundary)--\r\n".utf8)
    let outcome = parse(written, size: .max, limits: MultipartLimits())
    if !contains(content, delimiter), !contains(content + [13, 10], delimiter) || content.isEmpty {
        invariant(outcome.error == nil && outcome.parts.count == 1 && outcome.parts[0].content == content,
                  "a written part did not read back: \(describe(content))")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size, controlCount: 2)
    let readSize = (Int(input.control[0] & 0x1F) + 1) << Int(input.control[0] >> 5)
    var limits = MultipartLimits()
    if input.control[1] & 1 == 1 {
        limits.maxParts = 3
        limits.maxPartHeaderSize = 64
        limits.maxFileSize = 32
        limits.maxFieldSize = 16
    }
    let whole = parse(input.payload, size: .max, limits: limits)
    let pieces = parse(input.payload, size: readSize, limits: limits)
    // How the bytes arrive changes nothing: the same parts, or the same refusal.
    invariant(whole == pieces, "reads of \(readSize) bytes disagree with one read for \(describe(input.payload))")
    checkRoundTrip(input.payload)
    return 0
}

/// `main`, as SwiftPM links it (see `libFuzzerMain`).
@_cdecl("fuzz_multipart_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    libFuzzerMain(argc, argv, fuzz)
}
