/// A unit of background work: a `Codable` payload (the job's stored properties) and what to do with it.
///
/// Register the type with ``JobRegistry/register(_:)`` under its ``name``; enqueue values with
/// ``JobQueue/enqueue(_:at:priority:maxAttempts:)``. `run` must be safe to run again: a job is retried
/// after a failure, and after its worker dies (its lease expires).
///
/// ```swift
/// struct SendWelcomeEmail: Job {
///     static let name = "send_welcome_email"
///     let userID: Int
///     func run(_ context: JobContext) async throws { ... }
/// }
/// ```
public protocol Job: Codable, Sendable {
    /// The stable name stored with each job; renaming it orphans queued jobs.
    static var name: String { get }
    /// How many attempts before the job is marked `failed` (default 5).
    static var maxAttempts: Int { get }
    /// Whether the payload stays in `croft_jobs` after the job is done (default true). False for a payload
    /// that holds secrets (an email with a reset link): it is erased when the job succeeds.
    static var keepsPayloadWhenDone: Bool { get }
    /// Does the work; throwing schedules a retry with exponential backoff (or fails the job for good).
    func run(_ context: JobContext) async throws
}

extension Job {
    /// Five attempts: the first run and four retries spread over about a minute with the default backoff.
    public static var maxAttempts: Int { 5 }

    /// Done jobs keep their payload (for the staff pages), unless the type says otherwise.
    public static var keepsPayloadWhenDone: Bool { true }
}

/// An error a job throws that says whether trying again could help. Any other error is retried until the
/// job's attempts run out.
///
/// ```swift
/// struct RemoteRefused: JobFailure { let status: Int; var isPermanent: Bool { status < 500 } }
/// ```
public protocol JobFailure: Error {
    /// True when a retry cannot succeed (a mail server's 5xx, a wrong password): the job fails at once and
    /// shows as failed in `/staff/jobs`, with this error as its last error.
    var isPermanent: Bool { get }
}
