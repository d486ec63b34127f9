// fuzz-form: `application/x-www-form-urlencoded` decoding (FormDecoding), on a request body's bytes.
//
// Input layout: the whole input is the encoded form: its bytes, and as UTF-8 text the way `Request.bodyText`
// makes it. Each check is one function in `checks`; a new decoding entry point (a multipart decoder, say)
// gets its own function and a line in that list.
import Croft
import FuzzSupport

/// `decodePairs` keeps every field in order; `decode` is the same with the last value winning.
func checkPairsAndDictionary(_ bytes: [UInt8]) {
    let body = text(bytes)
    let pairs = FormDecoding.decodePairs(body)
    let fields = FormDecoding.decode(body)
    var expected: [String: String] = [:]
    for (name, value) in pairs { expected[name] = value }
    invariant(fields == expected, "decode disagrees with decodePairs (last value wins) for \(describe(bytes))")
    // One field per non-empty run between `&` bytes (WHATWG URL §5.1), whatever Characters an `&` forms with
    // its neighbours, so the count the limit check makes on the bytes is the number of fields decoded.
    let parts = body.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).count
    invariant(pairs.count == parts, "\(pairs.count) fields from \(parts) parts in \(describe(bytes))")
    // The same form given as a Substring (what `Request.query` passes) decodes the same.
    let substringPairs = FormDecoding.decodePairs(body[...])
    invariant(substringPairs.map(\.0) == pairs.map(\.0) && substringPairs.map(\.1) == pairs.map(\.1),
              "decodePairs differs between String and Substring for \(describe(bytes))")
}

/// Percent-decoding any text, with and without `+` as space; text with nothing to decode is returned as is.
func checkPercentDecode(_ bytes: [UInt8]) {
    let input = text(bytes)
    let plain = FormDecoding.percentDecode(input)
    let form = FormDecoding.percentDecode(input, plusAsSpace: true)
    if !input.utf8.contains(UInt8(ascii: "%")) {
        invariant(plain == input, "percentDecode changed text without a % in \(describe(bytes))")
        if !input.utf8.contains(UInt8(ascii: "+")) {
            invariant(form == input, "percentDecode(plusAsSpace:) changed text without % or + in \(describe(bytes))")
        }
    }
    // `+` as space is the same as turning every `+` into a space first: an escape is `%` and two hex digits,
    // and neither `+` nor a space is one.
    let spaced = String(decoding: input.utf8.map { $0 == UInt8(ascii: "+") ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    invariant(form == FormDecoding.percentDecode(spaced), "plusAsSpace is not + as space in \(describe(bytes))")
}

/// `percentEncode` then `percentDecode` is the identity, with or without `+` as space (`+` is encoded).
func checkRoundTrip(_ bytes: [UInt8]) {
    let original = text(bytes)
    let encoded = FormDecoding.percentEncode(original)
    invariant(encoded.utf8.allSatisfy { $0 < 128 && $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "&") },
              "percentEncode left a byte that is not plain ASCII in \(describe(bytes))")
    invariant(FormDecoding.percentDecode(encoded) == original, "percent round trip changed \(describe(bytes))")
    invariant(FormDecoding.percentDecode(encoded, plusAsSpace: true) == original,
              "form round trip changed \(describe(bytes))")
    // One field whose name and value are the input comes back as it was.
    let pairs = FormDecoding.decodePairs("\(encoded)=\(encoded)")
    invariant(pairs.count == 1 && pairs[0].0 == original && pairs[0].1 == original,
              "an encoded field did not decode to itself: \(describe(bytes))")
}

/// The limits-checked decoding: over `maxBytes` or `maxFields` it refuses, counting fields in the bytes;
/// otherwise it is the plain decoding, never with more fields than the limit.
func checkLimitedDecode(_ bytes: [UInt8]) {
    let fieldCount = bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).count
    for limits in [FormLimits(), FormLimits(maxFields: 3, maxBytes: 64), FormLimits(maxFields: 0, maxBytes: 0),
                   FormLimits(maxFields: 1, maxBytes: bytes.count)] {
        do {
            let pairs = try FormDecoding.decodePairs(bytes: bytes, limits: limits)
            invariant(bytes.count <= limits.maxBytes && fieldCount <= limits.maxFields,
                      "a form of \(bytes.count) bytes and \(fieldCount) fields passed \(limits)")
            invariant(pairs.count == fieldCount, "\(pairs.count) fields decoded, \(fieldCount) counted")
            let plain = FormDecoding.decodePairs(text(bytes))
            invariant(pairs.map(\.0) == plain.map(\.0) && pairs.map(\.1) == plain.map(\.1),
                      "decodePairs(bytes:limits:) differs from decodePairs for \(describe(bytes))")
        } catch {
            switch error {
            case .tooLarge(let size, let limit):
                invariant(size == bytes.count && limit == limits.maxBytes && size > limit, "\(error) for \(bytes.count) bytes")
            case .tooManyFields(let limit):
                invariant(bytes.count <= limits.maxBytes && limit == limits.maxFields && fieldCount > limit,
                          "\(error) for \(fieldCount) fields")
            }
        }
    }
}

/// `Request.formFields`: the decoded form, a 413 or a 400, and nothing at all for another content type.
func checkFormFields(_ bytes: [UInt8]) {
    let form = Request(method: .post, target: "/", headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
                       body: bytes)
    do {
        let fields = try form.formFields
        invariant(fields == FormDecoding.decode(text(bytes)), "formFields differs from decode for \(describe(bytes))")
    } catch {
        let status = (error as? any HTTPResponseError)?.status.code
        invariant(status == 413 || status == 400, "formFields threw \(error), not a 413 or 400")
    }
    let other = Request(method: .post, target: "/", headers: ["Content-Type": "text/plain"], body: bytes)
    invariant((try? other.formFields)?.isEmpty == true, "formFields decoded a text/plain body")
}

/// Every check, in order; add a line here for a new entry point.
let checks: [@Sendable ([UInt8]) -> Void] = [
    checkPairsAndDictionary,
    checkPercentDecode,
    checkRoundTrip,
    checkLimitedDecode,
    checkFormFields,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    for check in checks { check(input.payload) }
    return 0
}

/// `main`, as SwiftPM links it (see `libFuzzerMain`).
@_cdecl("fuzz_form_main")
public func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    libFuzzerMain(argc, argv, fuzz)
}
