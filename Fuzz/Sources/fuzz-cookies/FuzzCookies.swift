// fuzz-cookies: `Request.cookies`, the parse of the client's `Cookie` header fields.
//
// Input layout: one `Cookie` field value per line (LF-separated), as UTF-8 text; a line's CR stays in its value.
// Field values reach `cookies` as the parser leaves them (no CR, LF or other controls), but `cookies` is public
// and tests or middleware may build requests with any text, so any text is fed.
import Croft
import FuzzSupport

/// Header names that must all be read as `Cookie` (names are compared ignoring ASCII case).
let spellings = ["Cookie", "cookie", "COOKIE", "cOoKiE"]

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
        // The separators are bytes (RFC 6265 §5.4), whatever Characters they would form with their neighbours:
        // `a=1;\u{301}b=2` is two cookies for a browser or a proxy, so it must be two here.
        invariant(!name.utf8.contains(UInt8(ascii: ";")) && !name.utf8.contains(UInt8(ascii: "=")),
                  "cookie name \(describe(Array(name.utf8))) holds a separator")
        invariant(!value.utf8.contains(UInt8(ascii: ";")), "cookie value \(describe(Array(value.utf8))) holds a ;")
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
