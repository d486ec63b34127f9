/// An error that knows the response it becomes: the one protocol the error funnel (``ErrorResponder``)
/// asks. Throw any conforming error from a handler or middleware and the visitor gets its status, its
/// public message and its headers; anything else is a logged 500 with an error id.
///
/// ```swift
/// enum ShelfError: HTTPResponseError {
///     case full
///     var status: HTTPStatus { .conflict }
///     var publicMessage: String { "The shelf is full." }
/// }
/// ```
///
/// A conformer whose status is 500 is treated as a bug, like an unknown error: logged with the request id,
/// the page shows the id and (in DEBUG) the error. ``HTTPError`` is the exception: a handler that throws
/// one chose its message. The status table for the errors Croft knows is in docs/errors.md.
public protocol HTTPResponseError: Error {
    /// The response status.
    var status: HTTPStatus { get }
    /// What the visitor may read: no SQL, no paths, no secrets.
    var publicMessage: String { get }
    /// Extra response headers (`Allow` on 405, `Retry-After` on 503).
    var headers: HTTPHeaders { get }
    /// More for the developer, appended to the message in DEBUG only (the constraint that failed).
    var debugDetail: String? { get }
}

extension HTTPResponseError {
    /// No extra headers.
    public var headers: HTTPHeaders { [:] }
    /// No debug detail.
    public var debugDetail: String? { nil }
}

extension HTTPError: HTTPResponseError {
    /// The message given when it was thrown.
    public var publicMessage: String { message }
}

// MARK: - The errors of the layers below, which know no HTTP themselves

extension ModelError: HTTPResponseError {
    /// 404 for a row that is not there; a model without an id is a bug (500).
    public var status: HTTPStatus {
        switch self {
        case .notFound: .notFound
        case .missingID: .internalServerError
        }
    }

    public var publicMessage: String {
        switch self {
        case .notFound: "There is nothing at this address."
        case .missingID: "Something went wrong on our side."
        }
    }

    /// The table and id.
    public var debugDetail: String? { description }
}

extension SQLiteError: HTTPResponseError {
    /// Constraint failures are the visitor's input meeting the schema: 409 Conflict for UNIQUE, PRIMARY KEY
    /// and FOREIGN KEY (the data clashes with, or depends on, other rows), 422 for CHECK and NOT NULL (the
    /// value itself is refused). Every other SQLite error is a 500.
    public var status: HTTPStatus {
        guard isConstraintViolation else { return .internalServerError }
        return isUniqueConstraintViolation || isForeignKeyViolation ? .conflict : .unprocessableContent
    }

    public var publicMessage: String {
        if isUniqueConstraintViolation { return "That already exists: something with the same value is saved." }
        if isForeignKeyViolation { return "That change would leave data pointing at something that does not exist." }
        if isConstraintViolation { return "One of the values is not allowed." }
        return "Something went wrong on our side."
    }

    /// SQLite's message, which names the constraint (`UNIQUE constraint failed: users.email`).
    public var debugDetail: String? { message }
}

extension JobError: HTTPResponseError {
    /// 404 for a job that is not there (or not in a state the operation applies to); the others are
    /// configuration mistakes (500).
    public var status: HTTPStatus {
        switch self {
        case .noSuchJob: .notFound
        case .unknownJob, .invalidSchedule: .internalServerError
        }
    }

    public var publicMessage: String {
        switch self {
        case .noSuchJob: "No such job."
        case .unknownJob, .invalidSchedule: "Something went wrong on our side."
        }
    }

    public var debugDetail: String? { description }
}

extension FormDecodingError: HTTPResponseError {
    /// 413 for a form over the size limit, 400 for one with too many fields (as Django's
    /// `TooManyFieldsSent`).
    public var status: HTTPStatus {
        switch self {
        case .tooLarge: .contentTooLarge
        case .tooManyFields: .badRequest
        }
    }

    public var publicMessage: String {
        switch self {
        case .tooLarge: "The form is too large: \(self)."
        case .tooManyFields: "The form has too many fields: \(self)."
        }
    }
}
