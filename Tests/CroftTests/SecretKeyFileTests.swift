import Foundation
import Synchronization
import Testing
@testable import Croft

/// `data/.secret_key`: refused when it holds no key, never half-written, one key for processes starting together.
@Suite struct SecretKeyFileTests {
    let directory: OperationsDirectory
    var settings: Settings { Settings(environment: ["BASE_DIR": directory.path]) }
    var keyPath: String { directory.path + "/data/.secret_key" }

    init() throws {
        directory = try OperationsDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/data", withIntermediateDirectories: true)
    }

    @Test(arguments: [("", "it is empty"), ("   \n\t\n", "it holds only whitespace")])
    func refusesAKeyFileWithNoKeyNamingTheFileAndTheFix(contents: String, reason: String) throws {
        try contents.write(toFile: keyPath, atomically: true, encoding: .utf8)
        let error = try #require(throws: SecretKey.LoadError.self) { try SecretKey.load(settings: settings) }
        #expect(error.path == keyPath)
        #expect(error.reason == reason)
        #expect(error.description.contains(keyPath))
        #expect(error.description.contains("Delete it to have a new key generated"))
        #expect(error.description.contains("set SECRET_KEY"))
        // The file is left as it was: nothing is generated over it behind the operator's back.
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == contents)
        // SECRET_KEY still wins over the file.
        let fromEnvironment = try SecretKey.load(settings: Settings(environment: ["BASE_DIR": directory.path, "SECRET_KEY": "s3cret"]))
        #expect(fromEnvironment.key == "s3cret" && fromEnvironment.source == .environment)
    }

    @Test func aKeyFileThatCannotBeReadIsNamedWithTheRealReason() throws {
        try FileManager.default.createDirectory(atPath: keyPath, withIntermediateDirectories: false)
        let error = try #require(throws: SecretKey.LoadError.self) { try SecretKey.load(settings: settings) }
        #expect(error.path == keyPath)
        #expect(error.reason == String(cString: strerror(EISDIR)))
    }

    @Test func readsAKeyWithSurroundingWhitespaceAndGeneratesNothing() throws {
        try "  0123456789abcdef0123456789abcdef \n".write(toFile: keyPath, atomically: true, encoding: .utf8)
        let loaded = try SecretKey.load(settings: settings)
        #expect(loaded.key == "0123456789abcdef0123456789abcdef")
        #expect(loaded.source == .file(keyPath))
    }

    @Test(.timeLimit(.minutes(1)))
    func processesStartingTogetherAllGetTheOneKeyWritten() async throws {
        // Eight starts at the same instant, twenty times over: whoever links the key file first wins, and the
        // others read its whole key (never an empty, half-written file).
        for round in 0..<20 {
            let data = directory.path + "/round-\(round)"
            let settings = Settings(environment: ["BASE_DIR": directory.path, "DATA_DIR": data])
            let results = Mutex<[Result<String, any Error>]>([])
            let group = DispatchGroup()
            for _ in 0..<8 {
                group.enter()
                Thread {
                    defer { group.leave() }
                    let result = Result { try SecretKey.load(settings: settings).key }
                    results.withLock { $0.append(result) }
                }.start()
            }
            await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }
            let keys = try results.withLock { try $0.map { try $0.get() } }
            #expect(keys.count == 8)
            #expect(Set(keys).count == 1, "round \(round): \(Set(keys))")
            #expect(keys.first?.count == 64)
            // The temporary files are gone; only the key file remains, mode 0600.
            #expect(try FileManager.default.contentsOfDirectory(atPath: data) == [".secret_key"])
            var info = stat()
            #expect(stat(data + "/.secret_key", &info) == 0 && info.st_mode & 0o7777 == 0o600)
        }
    }
}
