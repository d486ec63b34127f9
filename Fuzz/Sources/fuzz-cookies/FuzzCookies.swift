// fuzz-cookies: `Request.cookies`, the parse of the client's `Cookie` header fields.
//
// Input layout: one `Cookie` field value per line (LF-separated), as UTF-8 text; a line's CR stays in its value.
// Field values reach `cookies` as the parser leaves them (no CR, LF or other controls), but `cookies` is public
// and tests or middleware may build requests with any text, so any text is fed.
import Croft
import FuzzSupport

/// Header names that must all be read as `Cookie` (names are compared ignoring ASCII case).
let spellings = ["Cookie", "cookie", "COOKIE", "cOoKiE"]

/// KNOWN BUG, tolerated so the rest keeps being fuzzed; delete this function and its uses once fixed.
///
/// `Request.cookies` splits the header at the Characters `;` and `=` (grapheme clusters), not at the bytes
/// RFC 6265 names. A `;` that a combining mark follows (`;\u{301}`) or a prepended mark precedes
/// (`\u{6DD};`) is not a Character of its own, so it separates nothing: `a=1;\u{301}croft_session=x` is one
/// cookie `a` whose value holds `croft_session=x`, where a browser or proxy sees two. Recognised precisely:
/// every separator scalar left in the text sits inside a cluster of more than one scalar.
func isKnownGraphemeSplit(_ text: String, separators: String) -> Bool {
    let marks = Set(separators.unicodeScalars)
    for character in text where character.unicodeScalars.contains(where: marks.contains) {
        if character.unicodeScalars.count == 1 { return false }
    }
    if !reportedGraphemeBug {
        reportedGraphemeBug = true
        print("fuzz-cookies: tolerating the known grapheme split of cookie separators (see isKnownGraphemeSplit)")
    }
    return true
}

nonisolated(unsafe) var reportedGraphemeBug = false

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let values = lines(input.payload).map { text($0) }
    var headers = HTTPHeaders()
    for (index, value) in values.enumerated() {
        headers.add(name: spellings[index % spellings.count], value: value)
        // A field that is not Cookie is never read as one.
        headers.add(name: "Cookie2", value: "ignored=\(index)")
    }
    let request = Request(method: .get, target: "/", headers: headers)
    let cookies = request.cookies

    for (name, value) in cookies {
        // A separator inside a cookie: only the known grapheme bug below may leave one there.
        invariant((!name.contains(";") && !name.contains("=")) || isKnownGraphemeSplit(name, separators: ";="),
                  "cookie name \(describe(Array(name.utf8))) holds a separator")
        invariant(!value.contains(";") || isKnownGraphemeSplit(value, separators: ";"),
                  "cookie value \(describe(Array(value.utf8))) holds a ;")
        invariant(name != "ignored" || values.contains { $0.contains("ignored") }, "a Cookie2 field was read as Cookie")
    }

    // Several fields are read in order, the first value winning: the same as merging each field's cookies.
    var merged: [String: String] = [:]
    for value in values {
        let one = Request(method: .get, target: "/", headers: ["Cookie": value]).cookies
        for (name, cookie) in one where merged[name] == nil { merged[name] = cookie }
    }
    invariant(cookies == merged, "cookies of \(values.count) fields differ from each field's cookies merged")
    return 0
}

/// `main`, as SwiftPM links it (see `libFuzzerMain`).
@_cdecl("fuzz_cookies_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    libFuzzerMain(argc, argv, fuzz)
}
