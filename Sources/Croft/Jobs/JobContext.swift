/// What a running job is given: its identity, its attempt number, the database, the settings and a logger.
public struct JobContext: Sendable {
    /// The job's row id in `croft_jobs`.
    public let jobID: Int64
    /// The job's registered name.
    public let name: String
    /// 1 for the first run, 2 for the first retry, ...
    public let attempt: Int
    /// The main database, the one the queue lives in.
    public let database: DatabasePool
    /// The site's settings (the worker's): a job reads its configuration here, not from the environment.
    public let settings: Settings
    /// A logger whose metadata names the job.
    public let logger: Logger
}
