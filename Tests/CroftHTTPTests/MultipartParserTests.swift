import CroftHTTP
import Testing

/// The sans-IO multipart/form-data parser: what browsers send, in any chunking, and every refusal.
struct MultipartParserTests {
    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"

    /// A body as a browser writes it: fields and files, CRLF everywhere.
    static func body(_ parts: [(headers: String, content: [UInt8])], boundary: String = boundary, preamble: String = "",
                     epilogue: String = "") -> [UInt8] {
        var bytes = Array(preamble.utf8)
        for part in parts {
            bytes += Array("--\(boundary)\r\n\(part.headers)\r\n\r\n".utf8) + part.content + Array("\r\n".utf8)
        }
        return bytes + Array("--\(boundary)--\r\n\(epilogue)".utf8)
    }

    struct Part: Equatable {
        var head: MultipartPartHead
        var content: [UInt8]
    }

    /// Parses `bytes` fed in pieces of `size`, and gathers the parts.
    static func parse(_ bytes: [UInt8], size: Int = .max, limits: MultipartLimits = MultipartLimits(),
                      boundary: String = boundary) throws -> [Part] {
        var parser = try MultipartParser(boundary: boundary, limits: limits)
        var parts: [Part] = []
        var open = false
        var index = 0
        while index < bytes.count {
            let end = index + min(size, bytes.count - index)
            for event in try parser.consume(bytes[index..<end]) {
                switch event {
                case .partStart(let head):
                    #expect(!open)
                    parts.append(Part(head: head, content: []))
                    open = true
                case .partData(let data):
                    #expect(open)
                    parts[parts.count - 1].content += data
                case .partEnd:
                    #expect(open)
                    open = false
                }
            }
            index = end
        }
        try parser.finish()
        #expect(!open)
        return parts
    }

    static let browserForm = body([
        ("Content-Disposition: form-data; name=\"title\"", Array("Groceries".utf8)),
        ("Content-Disposition: form-data; name=\"file\"; filename=\"list.txt\"\r\nContent-Type: text/plain",
         Array("Milk\r\n--\(boundary.dropLast())\r\n--\r\nEggs".utf8)),
        ("Content-Disposition: form-data; name=\"empty\"", []),
    ], preamble: "ignored preamble\r\n", epilogue: "ignored epilogue")

    @Test func readsFieldsAndFilesInAnyChunking() throws {
        let whole = try Self.parse(Self.browserForm)
        #expect(whole.map(\.head.name) == ["title", "file", "empty"])
        #expect(whole[0].head.filename == nil)
        #expect(whole[0].content == Array("Groceries".utf8))
        #expect(whole[1].head == MultipartPartHead(name: "file", filename: "list.txt", contentType: "text/plain"))
        // Text that looks like a boundary but is not one stays in the content.
        #expect(whole[1].content == Array("Milk\r\n--\(Self.boundary.dropLast())\r\n--\r\nEggs".utf8))
        #expect(whole[2].content.isEmpty)
        for size in 1...90 {
            #expect(try Self.parse(Self.browserForm, size: size) == whole, "chunks of \(size)")
        }
    }

    @Test func aLargeFilePassesThroughInBoundedPieces() throws {
        let content = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let bytes = Self.body([("Content-Disposition: form-data; name=\"f\"; filename=\"big.bin\"", content)])
        var parser = try MultipartParser(boundary: Self.boundary)
        var received = 0
        var largest = 0
        var index = 0
        while index < bytes.count {
            let end = min(index + 65_536, bytes.count)
            for case .partData(let data) in try parser.consume(bytes[index..<end]) {
                received += data.count
                largest = max(largest, data.count)
            }
            index = end
        }
        try parser.finish()
        #expect(received == content.count)
        #expect(largest <= 65_536 + 80)  // never more than a chunk and the held-back tail
    }

    @Test func fileNamesAreBareNamesAndRFC8187Wins() throws {
        func filename(_ disposition: String) throws -> String? {
            try Self.parse(Self.body([("Content-Disposition: " + disposition, [1])])).first?.head.filename
        }
        #expect(try filename(#"form-data; name="f"; filename="C:\Users\ada\My Report.pdf""#) == "My Report.pdf")
        #expect(try filename(#"form-data; name="f"; filename="../../etc/passwd""#) == "passwd")
        #expect(try filename(#"form-data; name="f"; filename="..""#) == "")
        #expect(try filename(#"form-data; name="f"; filename="a%22b.txt""#) == "a\"b.txt")  // a browser's escape
                #expect(try filename(#"form-data; name="f"; filename="plain.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"#) == "résumé.pdf")
        #expect(try filename(#"form-data; name="f"; filename*=iso-8859-1''caf%E9.txt"#) == "café.txt")
        #expect(try filename(#"FORM-DATA; NAME="f"; FILENAME=bare.txt"#) == "bare.txt")
        #expect(try filename(#"form-data; name="f""#) == nil)
        #expect(try filename("form-data; name=\"f\"; filename=\"a\u{7}b.txt\"") == "ab.txt")  // no control characters
        let long = String(repeating: "é", count: 200) + ".txt"
        #expect(try filename("form-data; name=\"f\"; filename=\"\(long)\"")?.utf8.count ?? 0 <= 255)
    }

    @Test func malformedBodiesAreRefusedWithA400AndStayRefused() throws {
        let cases: [(String, [UInt8])] = [
            ("no disposition", Self.body([("Content-Type: text/plain", [1])])),
            ("not form-data", Self.body([("Content-Disposition: attachment; name=\"a\"", [1])])),
            ("no name", Self.body([("Content-Disposition: form-data; filename=\"a\"", [1])])),
            ("a name twice", Self.body([("Content-Disposition: form-data; name=\"a\"; name=\"b\"", [1])])),
            ("unterminated quote", Self.body([("Content-Disposition: form-data; name=\"a", [1])])),
            ("not a header line", Self.body([("Content-Disposition: form-data; name=\"a\"\r\nno colon here", [1])])),
            ("boundary not followed by CRLF", Array("--\(Self.boundary)xx\r\n".utf8)),
        ]
        for (what, bytes) in cases {
            var parser = try MultipartParser(boundary: Self.boundary)
            var caught: MultipartError?
            do { _ = try parser.consume(bytes); try parser.finish() } catch { caught = error }
            #expect(caught != nil && caught?.status == 400, "\(what)")
            #expect(throws: MultipartError.self, "\(what): refusals are final") { _ = try parser.consume([1, 2, 3]) }
        }
        // A body that stops before its closing delimiter is incomplete, not a short success.
        var cut = try MultipartParser(boundary: Self.boundary)
        _ = try cut.consume(Self.browserForm.dropLast(30))
        #expect(throws: MultipartError.incomplete) { try cut.finish() }
        var empty = try MultipartParser(boundary: Self.boundary)
        #expect(throws: MultipartError.incomplete) { try empty.finish() }
    }

    @Test func limitsAnswerAtTheByteThatCrossesThem() throws {
        var limits = MultipartLimits()
        limits.maxFileSize = 100
        limits.maxFieldSize = 10
        limits.maxParts = 2
        limits.maxPartHeaderSize = 200
        func error(_ bytes: [UInt8]) -> MultipartError? {
            do { _ = try Self.parse(bytes, size: 7, limits: limits); return nil } catch { return error as? MultipartError }
        }
        let file = "Content-Disposition: form-data; name=\"f\"; filename=\"a.bin\""
        #expect(error(Self.body([(file, Array(repeating: 7, count: 100))])) == nil)
        #expect(error(Self.body([(file, Array(repeating: 7, count: 101))])) == .partTooLarge(name: "f", limit: 100))
        #expect(error(Self.body([(file, Array(repeating: 7, count: 101))]))?.status == 413)
        let field = "Content-Disposition: form-data; name=\"t\""
        #expect(error(Self.body([(field, Array(repeating: 65, count: 10))])) == nil)
        #expect(error(Self.body([(field, Array(repeating: 65, count: 11))])) == .partTooLarge(name: "t", limit: 10))
        #expect(error(Self.body([(field, [1]), (field, [2]), (field, [3])])) == .tooManyParts(limit: 2))
        let longHeader = field + "\r\nX-Padding: " + String(repeating: "x", count: 200)
        #expect(error(Self.body([(longHeader, [1])])) == .headerTooLarge(limit: 200))
        // A header block that never ends is refused once it is past the limit, not buffered forever.
        var parser = try MultipartParser(boundary: Self.boundary, limits: limits)
        _ = try parser.consume(Array("--\(Self.boundary)\r\n".utf8))
        #expect(throws: MultipartError.headerTooLarge(limit: 200)) { _ = try parser.consume(Array(repeating: 65, count: 204)) }
    }

    @Test func boundariesComeFromTheContentType() throws {
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\(Self.boundary)") == Self.boundary)
        #expect(MultipartParser.boundary(contentType: "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b'c\"") == "a b'c")
        #expect(MultipartParser.boundary(contentType: "multipart/mixed; boundary=x") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "a", count: 71)) == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=bad\u{1}") == nil)
        #expect(throws: MultipartError.badBoundary) { try MultipartParser(boundary: "") }
        #expect(throws: MultipartError.badBoundary) { try MultipartParser(boundary: "ends with space ") }
        // A body that opens with its delimiter, no CRLF before it, and transport padding after it.
        let padded = Array("--b  \t\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--b--".utf8)
        #expect(try Self.parse(padded, boundary: "b").map(\.content) == [Array("v".utf8)])
    }
}
