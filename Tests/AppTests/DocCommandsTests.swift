import Foundation
import Testing

/// Every `swift run app ...` command line in README.md and docs/ names a real command with real flags:
/// each is checked against `app <command> --help` of the built binary, so a renamed command or flag fails
/// here instead of in a reader's terminal.
@Suite struct DocCommandsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Each documented command line (what follows `swift run app`, up to a comment, a backquote or a pipe),
    /// with the file it is in.
    static func documentedCommands() throws -> [(file: String, words: [String])] {
        var files = ["README.md"]
        let docs = repository.appendingPathComponent("docs")
        files += try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        let expression = try NSRegularExpression(pattern: #"swift run app((?: [^#`|\n)]*)?)"#)
        var found: [(String, [String])] = []
        for file in files {
            let text = try String(contentsOf: repository.appendingPathComponent(file), encoding: .utf8)
            for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                found.append((file, text[range].split(separator: " ").map(String.init)))
            }
        }
        return found
    }

    /// `app arguments... --help`: its exit status and output.
    static func help(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServeCommandTests.appBinary)
        process.arguments = arguments + ["--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func everyDocumentedCommandAndFlagExists() throws {
        let commands = try Self.documentedCommands()
        #expect(commands.count > 20, "found \(commands.count) documented commands: has the scan broken?")
        var helpCache: [[String]: (Int32, String)] = [:]
        func cachedHelp(_ words: [String]) throws -> (Int32, String) {
            if let cached = helpCache[words] { return cached }
            let result = try Self.help(words)
            helpCache[words] = result
            return result
        }
        for command in commands {
            let words = command.words
            guard let first = words.first, !first.hasPrefix("-") else {
                // `swift run app` or `swift run app --help`: the root command.
                #expect(try cachedHelp([]).0 == 0)
                continue
            }
            let (status, output) = try cachedHelp([first])
            // An unknown command's --help falls back to the root's help (status 0): its USAGE line tells.
            #expect(status == 0 && output.contains("USAGE: app \(first)"),
                    "\(command.file): `app \(words.joined(separator: " "))`: there is no command '\(first)'")
            // A second word may be a subcommand (`cache clear`); its help lists its own flags.
            var helpText = output
            if words.count > 1, !words[1].hasPrefix("-"), case (0, let sub) = try cachedHelp([first, words[1]]),
               sub.contains("USAGE: app \(first) \(words[1])") {
                helpText += sub
            }
            for flag in words where flag.hasPrefix("--") {
                let name = String(flag.split(separator: "=")[0])
                #expect(helpText.contains(name), "\(command.file): `app \(words.joined(separator: " "))`: '\(first)' has no \(name)")
            }
        }
    }

    @Test func theCheckCanFail() throws {
        #expect(!(try Self.help(["no-such-command"]).output.contains("USAGE: app no-such-command")))
        #expect(!(try Self.help(["migrate"]).output.contains("--no-such-flag")))
    }
}
