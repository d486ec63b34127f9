import Foundation
import Testing

@testable import Croft

/// Url-encoded forms: bounded before decoding, decoded once per request.
@Suite struct FormLimitsTests {
    static func formRequest(_ body: String) -> Request {
        Request(method: .post, target: "/", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Array(body.utf8))
    }

    @Test func fieldsAreCountedWithoutDecoding() throws {
        let limits = FormLimits(maxFields: 3, maxBytes: 100)
        #expect(try FormDecoding.decodePairs(bytes: Array("a=1&b=2&c".utf8), limits: limits).count == 3)
        // Empty parts are not fields (`a&&b` is two), as the decoder skips them.
        #expect(try FormDecoding.decodePairs(bytes: Array("&&a=1&&b=2&&&c&&".utf8), limits: limits).count == 3)
        #expect(throws: FormDecodingError.tooManyFields(limit: 3)) {
            try FormDecoding.decodePairs(bytes: Array("a&b&c&d".utf8), limits: limits)
        }
        #expect(throws: FormDecodingError.tooLarge(size: 101, limit: 100)) {
            try FormDecoding.decodePairs(bytes: Array(repeating: UInt8(ascii: "a"), count: 101), limits: limits)
        }
    }

    @Test func theDefaultsAreDjangos() {
        let settings = Settings(environment: ["BASE_DIR": "/nonexistent"])
        #expect(settings.formLimits == FormLimits(maxFields: 1000, maxBytes: 2_621_440))
        let custom = Settings(environment: [
            "BASE_DIR": "/nonexistent", "DATA_UPLOAD_MAX_NUMBER_FIELDS": "10", "DATA_UPLOAD_MAX_MEMORY_SIZE": "2k",
        ])
        #expect(custom.formLimits.maxFields == 10)
        #expect(custom.invalidValues == [#"DATA_UPLOAD_MAX_MEMORY_SIZE="2k" is not a whole number"#])
    }

    @Test func overTheLimitsIsA413OrA400() throws {
        var request = Self.formRequest(String(repeating: "a&", count: 2_000_000))
        request.storage[FormCacheKey.self] = FormCache(limits: FormLimits())
        #expect(throws: FormDecodingError.self) { try request.formFields }
        do {
            _ = try request.formFields
        } catch let error as any HTTPResponseError {
            #expect(error.status == .contentTooLarge)
        }
        let many = Self.formRequest(String(repeating: "a&", count: 1001))
        do {
            _ = try many.formFields
            Issue.record("1,001 fields were accepted")
        } catch let error as any HTTPResponseError {
            #expect(error.status == .badRequest)
        }
    }

    @Test func aFormIsDecodedOncePerRequest() throws {
        var request = Self.formRequest("csrf_token=abc&title=first")
        request.storage[FormCacheKey.self] = FormCache(limits: FormLimits())
        #expect(try request.formFields["title"] == "first")
        // A middleware's copy shares the decoded form: it is not decoded again from the (changed) bytes.
        var copy = request
        copy.body = Array("title=second".utf8)
        #expect(try copy.formFields["title"] == "first")
        #expect(try copy.formFields["csrf_token"] == "abc")
        // Without the cache (a request built by hand), every read decodes.
        var plain = Self.formRequest("title=first")
        plain.body = Array("title=second".utf8)
        #expect(try plain.formFields["title"] == "second")
        #expect(try Request(method: .post, target: "/", body: Array("a=1".utf8)).formFields.isEmpty)  // not a form
    }

    @Test func fieldsAreSplitAtBytesNotCharacters() {
        // "&\u{301}" is one Character: splitting Characters merged two fields into one.
        let pairs = FormDecoding.decodePairs("a=1&\u{301}b=2&c=\u{301}=3")
        #expect(pairs.map(\.0) == ["a", "\u{301}b", "c"] && pairs.map(\.1) == ["1", "2", "\u{301}=3"])
        #expect(Request(method: .get, target: "/?q=x&\u{301}page=2").query == ["q": "x", "\u{301}page": "2"])
        #expect(FormDecoding.decodePairs("%41+b=%zz&&") .map(\.0) == ["A b"] && FormDecoding.decode("k=%E2%9C%93")["k"] == "✓")
    }
}
