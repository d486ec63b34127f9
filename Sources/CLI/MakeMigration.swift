import App
import ArgumentParser
import Croft
import Foundation

/// `app makemigration NAME`: scaffold the next numbered migration and register it.
struct MakeMigration: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "makemigration",
        abstract: "Create Sources/App/Migrations/NNNN_name.swift and register it in Migrations.swift.")

    @Argument(help: "What the migration does, in snake_case (e.g. create_notes).")
    var name: String

    @Option(help: "The migrations folder (default: BASE_DIR/Sources/App/Migrations).")
    var directory: String?

    static let marker = "// `app makemigration` adds new migrations above this line."

    mutating func validate() throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }), name.first!.isLetter else {
            throw ValidationError("NAME must be snake_case letters, digits and underscores, starting with a letter (got '\(name)').")
        }
    }

    func run() throws {
        let settings = Settings()
        let folder = directory ?? settings.baseDirectory + "/Sources/App/Migrations"
        let registry = folder + "/Migrations.swift"
        guard var registryText = try? String(contentsOfFile: registry, encoding: .utf8),
              let markerRange = registryText.range(of: Self.marker) else {
            throw CommandFailure("cannot find \(registry) with the line '\(Self.marker)'. Run this from the project root.")
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let highest = files.compactMap { Int($0.prefix(4)) }.max() ?? 0
        let number = String(format: "%04d", highest + 1)
        let fullName = "\(number)_\(name)"
        let symbol = "migration\(number)" + name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        let path = folder + "/\(fullName).swift"
        guard !FileManager.default.fileExists(atPath: path) else { throw CommandFailure("\(path) already exists.") }
        let source = """
            import Croft

            extension Site {
                /// \(name.replacingOccurrences(of: "_", with: " ").capitalized(with: nil)).
                static let \(symbol) = Migration(
                    "\(fullName)",
                    up: \"\"\"
                        -- The SQL that applies this migration, e.g.
                        -- CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
                        \"\"\",
                    down: nil)  // the SQL that undoes it, if it can be undone: enables `app migrate --revert`
            }

            """
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        // Register it: indent like the marker line.
        let lineStart = registryText[..<markerRange.lowerBound].lastIndex(of: "\n").map { registryText.index(after: $0) }
            ?? registryText.startIndex
        let indent = String(registryText[lineStart..<markerRange.lowerBound])
        registryText.insert(contentsOf: "\(symbol),\n\(indent)", at: markerRange.lowerBound)
        try registryText.write(toFile: registry, atomically: true, encoding: .utf8)
        print("created \(path)")
        print("registered \(symbol) in \(registry)")
        print("next: write its SQL, then `swift run app migrate`")
    }
}
