import CroftTemplates
import Foundation
import Testing

/// CroftTemplates against real Django 5.2: every case in `Django/cases.json` must render byte for byte as
/// Django rendered it (`Django/expected.json`, made by `Django/generate.py`, which CI never runs), and every
/// documented difference in `Django/differences.json` must still render as recorded, so none drifts silently.
///
/// To add a case: append it to `cases.json`, re-run `generate.py` (its docstring says how), run this suite.
/// When Croft differs on purpose, move the case to `differences.json` with both outputs and the reason;
/// `CROFT_PARITY_DUMP=/tmp/croft.json swift test --filter DjangoParityTests` writes what Croft printed.
@Suite struct DjangoParityTests {
    static let fixtures = Result { try ParityFixtures.load() }
    static var cases: [ParityCase] { (try? fixtures.get())?.cases ?? [] }
    static var differences: [ParityDifference] { (try? fixtures.get())?.differences ?? [] }

    @Test func fixturesLoadAndAgree() throws {
        let fixtures = try Self.fixtures.get()
        let names = fixtures.cases.map(\.name)
        #expect(Set(names).count == names.count, "case names repeat in cases.json")
        #expect(Set(names) == Set(fixtures.expected.keys),
                "expected.json does not match cases.json: re-run Tests/CroftTemplatesTests/Django/generate.py")
        #expect(Set(names).isDisjoint(with: fixtures.differences.map(\.name)),
                "a case is both in cases.json and differences.json")
        #expect(fixtures.cases.count >= 80)
    }

    @Test(arguments: cases)
    func rendersAsDjango(_ parityCase: ParityCase) throws {
        let expected = try #require(try Self.fixtures.get().expected[parityCase.name],
                                    "no Django output for '\(parityCase.name)': re-run generate.py")
        let croft = Outcome.rendering(parityCase.template, parityCase.context)
        #expect(croft.matches(expected), """
            '\(parityCase.name)' renders differently from Django
              template: \(parityCase.template.debugDescription)
              context:  \(parityCase.contextJSON)
              django:   \(expected)
              croft:    \(croft)
            """)
    }

    @Test(arguments: differences)
    func documentedDifferenceHolds(_ difference: ParityDifference) {
        let croft = Outcome.rendering(difference.template, difference.context)
        #expect(croft.matches(difference.croft), """
            '\(difference.name)' no longer renders as differences.json records
              template: \(difference.template.debugDescription)
              recorded: \(difference.croft)
              croft:    \(croft)
            """)
        #expect(!difference.croft.matches(difference.django) && !difference.reason.isEmpty,
                "'\(difference.name)' is no difference (or has no reason): move it to cases.json")
    }

    /// With `CROFT_PARITY_DUMP` set, writes Croft's output for every case and difference, by name.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CROFT_PARITY_DUMP"] != nil))
    func dumpCroftOutputs() throws {
        let fixtures = try Self.fixtures.get()
        var outputs: [String: String] = [:]
        for (name, template, context) in fixtures.cases.map({ ($0.name, $0.template, $0.context) })
            + fixtures.differences.map({ ($0.name, $0.template, $0.context) }) {
            switch Outcome.rendering(template, context) {
            case .output(let text): outputs[name] = text
            case .error(let message): outputs[name] = "<<error: \(message)>>"
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let path = ProcessInfo.processInfo.environment["CROFT_PARITY_DUMP"]!
        try encoder.encode(outputs).write(to: URL(fileURLWithPath: path))
    }
}

/// One template, context and name from `cases.json`.
struct ParityCase: Sendable, CustomTestStringConvertible {
    var name: String
    var template: String
    var context: [String: TemplateValue]
    var contextJSON: String
    var testDescription: String { name }
}

/// One entry of `differences.json`: what Django prints, what Croft prints instead, and why.
struct ParityDifference: Sendable, CustomTestStringConvertible {
    var name: String
    var template: String
    var context: [String: TemplateValue]
    var django: Outcome
    var croft: Outcome
    var reason: String
    var testDescription: String { name }
}

/// What a render gave: text, or an error (whose message is not compared: Django's and Croft's differ).
enum Outcome: Sendable, CustomStringConvertible {
    case output(String)
    case error(String)

    static func rendering(_ template: String, _ context: [String: TemplateValue]) -> Outcome {
        do {
            let environment = TemplateEnvironment(loader: DictionaryLoader([:]))
            return .output(try environment.render(source: template, context: context))
        } catch {
            return .error("\(error)")
        }
    }

    /// A recorded outcome is a string, or `{"error": "..."}` for a render that throws.
    init(recorded json: JSONValue) throws {
        switch json {
        case .string(let text): self = .output(text)
        case .object(let entries) where entries.count == 1 && entries[0].key == "error":
            self = .error(entries[0].value.stringValue ?? "")
        default: throw ParityFixtures.Failure("an outcome must be a string or {\"error\": ...}, not \(json)")
        }
    }

    /// Equal text, or both errors.
    func matches(_ other: Outcome) -> Bool {
        switch (self, other) {
        case (.output(let left), .output(let right)): left == right
        case (.error, .error): true
        default: false
        }
    }

    var description: String {
        switch self {
        case .output(let text): text.debugDescription
        case .error(let message): "error: \(message)"
        }
    }
}

/// The three JSON files next to `generate.py`.
struct ParityFixtures: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    var cases: [ParityCase]
    var expected: [String: Outcome]
    var differences: [ParityDifference]

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Django")

    static func load() throws -> ParityFixtures {
        func read(_ name: String) throws -> JSONValue {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            do {
                return try JSONValue.parse(Array(data))
            } catch {
                throw Failure("\(name): \(error)")
            }
        }
        func string(_ entry: JSONValue, _ key: String) throws -> String {
            guard let value = entry[key]?.stringValue else { throw Failure("missing \"\(key)\" in \(entry)") }
            return value
        }
        func context(_ entry: JSONValue) throws -> (values: [String: TemplateValue], json: String) {
            guard let json = entry["context"] else { return ([:], "{}") }
            guard case .dictionary(let values) = try json.templateValue() else {
                throw Failure("the context of \(try string(entry, "name")) is not an object")
            }
            return (values, json.description)
        }

        guard case .array(let caseEntries) = try read("cases.json") else { throw Failure("cases.json is not a list") }
        let cases = try caseEntries.map { entry in
            let (values, json) = try context(entry)
            return ParityCase(name: try string(entry, "name"), template: try string(entry, "template"),
                              context: values, contextJSON: json)
        }
        guard case .object(let expectedEntries) = try read("expected.json") else {
            throw Failure("expected.json is not an object")
        }
        var expected: [String: Outcome] = [:]
        for (name, value) in expectedEntries { expected[name] = try Outcome(recorded: value) }
        guard case .array(let differenceEntries) = try read("differences.json") else {
            throw Failure("differences.json is not a list")
        }
        let differences = try differenceEntries.map { entry in
            guard let django = entry["django"], let croft = entry["croft"] else {
                throw Failure("a difference needs \"django\" and \"croft\": \(entry)")
            }
            return ParityDifference(name: try string(entry, "name"), template: try string(entry, "template"),
                                    context: try context(entry).values, django: try Outcome(recorded: django),
                                    croft: try Outcome(recorded: croft), reason: try string(entry, "reason"))
        }
        return ParityFixtures(cases: cases, expected: expected, differences: differences)
    }
}

/// JSON as Python's `json` module reads it: a number with a fraction or an exponent is a float, any
/// other number an integer; objects keep their order. Foundation's JSONSerialization cannot tell `1.0`
/// from `1` on every platform, and the two print differently (`1.0` and `1`), so the fixtures are read here.
indirect enum JSONValue: Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    subscript(key: String) -> JSONValue? {
        guard case .object(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The template value a Croft view would pass; `{"$datetime": "2024-03-05T14:07:09Z"}` is a `Date`,
    /// `{"$query": "a=1"}` the `request` Croft's `request.render` adds for that query.
    func templateValue() throws -> TemplateValue {
        switch self {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .string(let text): return .string(text)
        case .array(let items): return .array(try items.map { try $0.templateValue() })
        case .object(let entries):
            if entries.count == 1, entries[0].key == "$datetime", let text = entries[0].value.stringValue {
                guard let date = ISO8601DateFormatter().date(from: text) else {
                    throw ParityFixtures.Failure("\"$datetime\" wants an ISO 8601 time with a zone, not \(text)")
                }
                return .date(date)
            }
            if entries.count == 1, entries[0].key == "$query", let query = entries[0].value.stringValue {
                return ["query_string": .string(query), "GET": .queryFields(query)]
            }
            var values: [String: TemplateValue] = [:]
            for (key, value) in entries { values[key] = try value.templateValue() }
            return .dictionary(values)
        }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let text): return text.debugDescription
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let entries):
            return "{" + entries.map { "\($0.key.debugDescription): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var reader = Reader(bytes: bytes)
        let value = try reader.value()
        reader.skipSpace()
        guard reader.index == bytes.count else { throw reader.failure("text after the value") }
        return value
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        func failure(_ message: String) -> ParityFixtures.Failure {
            ParityFixtures.Failure("invalid JSON at byte \(index): \(message)")
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }

        mutating func value() throws -> JSONValue {
            skipSpace()
            guard index < bytes.count else { throw failure("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var entries: [(key: String, value: JSONValue)] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(entries) }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    entries.append((key, try value()))
                    skipSpace()
                    if try separatorOrEnd("}") { return .object(entries) }
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [JSONValue] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    if try separatorOrEnd("]") { return .array(items) }
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return try number()
            }
        }

        private mutating func expect(_ character: Unicode.Scalar) throws {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { throw failure("expected '\(character)'") }
            index += 1
        }

        /// Consumes `,` (false) or `end` (true).
        private mutating func separatorOrEnd(_ end: Unicode.Scalar) throws -> Bool {
            guard index < bytes.count else { throw failure("unexpected end") }
            index += 1
            if bytes[index - 1] == UInt8(ascii: end) { return true }
            if bytes[index - 1] == UInt8(ascii: ",") { return false }
            index -= 1
            throw failure("expected ',' or '\(end)'")
        }

        private mutating func literal(_ word: String) throws {
            let expected = Array(word.utf8)
            guard bytes.count - index >= expected.count, Array(bytes[index..<(index + expected.count)]) == expected else {
                throw failure("expected \(word)")
            }
            index += expected.count
        }

        private mutating func number() throws -> JSONValue {
            let start = index
            var isFloat = false
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
                    || "+-.eE".utf8.contains(bytes[index]) {
                if ".eE".utf8.contains(bytes[index]) { isFloat = true }
                index += 1
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if !isFloat, let integer = Int(text) { return .int(integer) }
            guard !text.isEmpty, let number = Double(text) else { throw failure("invalid value '\(text)'") }
            return .double(number)
        }

        private mutating func string() throws -> String {
            try expect("\"")
            var scalars = String.UnicodeScalarView()
            var chunkStart = index
            func flush(_ end: Int) { scalars.append(contentsOf: String(decoding: bytes[chunkStart..<end], as: UTF8.self).unicodeScalars) }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    flush(index)
                    index += 1
                    return String(scalars)
                }
                guard byte == UInt8(ascii: "\\") else { index += 1; continue }
                flush(index)
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), bytes.count - index >= 6,
                       bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw failure("invalid \\u escape") }
                    scalars.append(scalar)
                default: throw failure("invalid escape")
                }
                chunkStart = index
            }
            throw failure("unterminated string")
        }

        private mutating func hex4() throws -> UInt32 {
            guard bytes.count - index >= 4,
                  let code = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16) else {
                throw failure("invalid \\u escape")
            }
            index += 4
            return code
        }
    }
}
