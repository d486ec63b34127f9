import Foundation
import Synchronization

/// A real SMTP server for tests: aiosmtpd (`Tests/smtp/smtp_sink.py`) on a loopback port, with STARTTLS
/// or implicit TLS on a throwaway certificate and AUTH required, keeping every message it accepts.
///
/// ```swift
/// let sink = try SMTPSink.start()
/// defer { sink.stop() }
/// // EMAIL_BACKEND=smtp, EMAIL_PORT=\(sink.port), EMAIL_USE_TLS=1, EMAIL_SSL_CAFILE=\(sink.certificatePath) ...
/// let mail = try await sink.waitForMessages(1)
/// ```
///
/// The Python environment is `CROFT_SMTP_PYTHON`, else the one `Tests/smtp/setup.sh` makes (and reuses).
public final class SMTPSink: Sendable {
    /// How the server speaks TLS.
    public enum TLSMode: String, Sendable {
        /// Plain TCP, STARTTLS required before AUTH (`EMAIL_USE_TLS`, port 587's way).
        case starttls
        /// TLS from the first byte (`EMAIL_USE_SSL`, port 465's way).
        case implicit
    }

    /// The loopback port it listens on.
    public let port: Int
    /// The folder messages are written to (`0001.eml` and `0001.json`, ...).
    public let directory: URL
    /// The PEM certificate to trust (`EMAIL_SSL_CAFILE`).
    public let certificatePath: String
    /// The AUTH user and password it accepts.
    public let user: String
    /// See ``user``.
    public let password: String
    private let process: Mutex<Process?>

    private init(port: Int, directory: URL, certificatePath: String, user: String, password: String, process: Process) {
        self.port = port
        self.directory = directory
        self.certificatePath = certificatePath
        self.user = user
        self.password = password
        self.process = Mutex(process)
    }

    /// Starts a server and waits until it listens. `port` 0 lets the system choose; give a port (and the
    /// same `directory`) to start one again where a stopped one was. `rcptReply`/`dataReply` answer every
    /// recipient or message with that reply instead (`"550 5.1.1 No such user"`, `"451 4.3.0 Try later"`).
    public static func start(tls: TLSMode = .starttls, port: Int = 0, directory: URL? = nil, user: String = "mailer",
                             password: String = "s3cret-smtp", rcptReply: String? = nil, dataReply: String? = nil) throws -> SMTPSink {
        let directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("croft-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (certificate, key) = try Certificate.shared()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try python())
        var arguments = [repositoryRoot + "/Tests/smtp/smtp_sink.py", "--port", String(port), "--maildir", directory.path,
                         "--cert", certificate, "--key", key, "--user", user, "--password", password, "--tls", tls.rawValue]
        if let rcptReply { arguments += ["--rcpt-reply", rcptReply] }
        if let dataReply { arguments += ["--data-reply", dataReply] }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints "READY <port>" once it listens.
        var line = Data()
        let deadline = Date().addingTimeInterval(30)
        while !line.contains(UInt8(ascii: "\n")), Date() < deadline, process.isRunning || !line.isEmpty {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("READY "), let listening = Int(text.dropFirst(6).prefix { $0.isNumber }) else {
            process.terminate()
            throw SinkError("the SMTP server did not start (it printed \"\(text)\"); run Tests/smtp/smtp_sink.py by hand to see why")
        }
        return SMTPSink(port: listening, directory: directory, certificatePath: certificate, user: user, password: password,
                        process: process)
    }

    /// Stops the server (the messages stay in ``directory``).
    public func stop() {
        process.withLock { process in
            guard let running = process else { return }
            if running.isRunning {
                running.terminate()
                // Up to 5 s for it to go, then SIGKILL: a test must never hang on its server.
                for _ in 0..<500 where running.isRunning { usleep(10_000) }
                if running.isRunning { kill(running.processIdentifier, SIGKILL) }
                for _ in 0..<500 where running.isRunning { usleep(10_000) }
            }
            process = nil
        }
    }

    deinit { stop() }

    /// Every message received so far, oldest first.
    public func messages() throws -> [ReceivedMail] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let json = try Data(contentsOf: directory.appendingPathComponent(name))
            var mail = try JSONDecoder().decode(ReceivedMail.self, from: json)
            mail.raw = try Data(contentsOf: directory.appendingPathComponent(name.replacingOccurrences(of: ".json", with: ".eml")))
            return mail
        }
    }

    /// Waits until at least `count` messages arrived (polling), then returns them all.
    public func waitForMessages(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [ReceivedMail] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let received = try messages()
            if received.count >= count { return received }
            guard clock.now < deadline else { throw SinkError("waited \(timeout) for \(count) message(s), got \(received.count)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A message as the server received it, read by Python's email parser.
    public struct ReceivedMail: Decodable, Sendable {
        /// A leaf part of the message.
        public struct Part: Decodable, Sendable {
            public let type: String
            public let charset: String?
            public let encoding: String?
            /// The part's decoded text.
            public let text: String
        }

        public let mailFrom: String
        public let rcptTos: [String]
        /// The AUTH user, if the client logged in.
        public let login: String?
        /// Whether the message came over TLS.
        public let tls: Bool
        /// Decoded headers.
        public let subject: String
        public let from: String
        public let to: String
        public let date: String
        public let messageId: String
        public let contentType: String
        /// What the parser found wrong with the message's structure (none, for a good one).
        public let defects: [String]
        public let parts: [Part]
        /// The message's bytes as received.
        public var raw = Data()

        /// The decoded text of the first part of this type (`text/plain`, `text/html`), line ends as `\n`.
        public func text(_ type: String) -> String? {
            parts.first { $0.type == type }?.text.replacingOccurrences(of: "\r\n", with: "\n")
        }

        enum CodingKeys: String, CodingKey {
            case mailFrom = "mail_from", rcptTos = "rcpt_tos", login, tls, subject, from, to, date
            case messageId = "message_id", contentType = "content_type", defects, parts
        }
    }

    /// Why the sink could not do what a test asked.
    public struct SinkError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The repository's root, from this file's place in it.
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Sources/CroftTesting/SMTPSink.swift
        return url.path
    }()

    private static let pythonPath = Mutex<String?>(nil)

    /// `CROFT_SMTP_PYTHON`, or the environment `Tests/smtp/setup.sh` makes.
    static func python() throws -> String {
        if let configured = ProcessInfo.processInfo.environment["CROFT_SMTP_PYTHON"], !configured.isEmpty { return configured }
        return try pythonPath.withLock { cached in
            if let cached { return cached }
            let setup = Process()
            setup.executableURL = URL(fileURLWithPath: "/bin/bash")
            setup.arguments = [repositoryRoot + "/Tests/smtp/setup.sh"]
            let output = Pipe()
            setup.standardOutput = output
            try setup.run()
            let path = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            setup.waitUntilExit()
            guard setup.terminationStatus == 0, !path.isEmpty else {
                throw SinkError("Tests/smtp/setup.sh failed (it installs aiosmtpd from PyPI into .build/croft-smtp-venv); run it to see why")
            }
            cached = path
            return path
        }
    }

    /// One self-signed certificate for localhost and 127.0.0.1 per test process.
    enum Certificate {
        private static let made = Mutex<(String, String)?>(nil)

        static func shared() throws -> (certificate: String, key: String) {
            try made.withLock { made in
                if let made { return made }
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("croft-smtp-cert-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let certificate = folder.appendingPathComponent("cert.pem").path
                let key = folder.appendingPathComponent("key.pem").path
                let openssl = Process()
                openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                     "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                                     "-keyout", key, "-out", certificate]
                openssl.standardOutput = FileHandle.nullDevice
                openssl.standardError = FileHandle.nullDevice
                try openssl.run()
                openssl.waitUntilExit()
                guard openssl.terminationStatus == 0 else { throw SinkError("openssl could not make a test certificate") }
                made = (certificate, key)
                return (certificate, key)
            }
        }
    }
}
