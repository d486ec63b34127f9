import Foundation

/// The job types a worker can run, by name: a payload is decoded into its type and run.
///
/// ```swift
/// var jobs = JobRegistry()
/// jobs.register(SendWelcomeEmail.self)
/// ```
public struct JobRegistry: Sendable {
    /// Decodes a payload and runs it.
    typealias Runner = @Sendable (Data, JobContext) async throws -> Void
    private(set) var runners: [String: Runner] = [:]
    private(set) var maxAttempts: [String: Int] = [:]
    /// The names whose payload is erased once done (``Job/keepsPayloadWhenDone``).
    private(set) var erasesPayloadWhenDone: Set<String> = []

    /// An empty registry.
    public init() {}

    /// Registers `type` under `type.name`; registering a name twice keeps the last one.
    public mutating func register<J: Job>(_ type: J.Type) {
        runners[J.name] = { payload, context in
            let job = try JSONDecoder().decode(J.self, from: payload)
            try await job.run(context)
        }
        maxAttempts[J.name] = J.maxAttempts
        if J.keepsPayloadWhenDone { erasesPayloadWhenDone.remove(J.name) } else { erasesPayloadWhenDone.insert(J.name) }
    }

    /// The registered names, sorted.
    public var names: [String] { runners.keys.sorted() }

    /// Runs the payload of a job named `name`; throws ``JobError`` when no such type is registered.
    func run(name: String, payload: Data, context: JobContext) async throws {
        guard let runner = runners[name] else {
            throw JobError.unknownJob(name: name, known: names)
        }
        try await runner(payload, context)
    }
}
