import Synchronization

extension Request {
    /// A path parameter converted to `T`; a missing or malformed value is a 400, never a crash.
    ///
    /// ```swift
    /// let id: Int64 = try request.parameter("id")
    /// ```
    public func parameter<T: LosslessStringConvertible>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let text = parameters[name] else {
            throw HTTPError(.badRequest, message: "Missing path parameter '\(name)'.")
        }
        guard let value = T(text) else {
            throw HTTPError(.badRequest, message: "Path parameter '\(name)' has an invalid value.")
        }
        return value
    }

    /// A query parameter converted to `T`, nil when absent; a malformed value is a 400.
    public func queryValue<T: LosslessStringConvertible>(_ name: String, as type: T.Type = T.self) throws -> T? {
        guard let text = query[name], !text.isEmpty else { return nil }
        guard let value = T(text) else {
            throw HTTPError(.badRequest, message: "Query parameter '\(name)' has an invalid value.")
        }
        return value
    }

    /// The decoded fields of an `application/x-www-form-urlencoded` body (the last value wins for a
    /// repeated name); empty for any other content type.
    ///
    /// Decoded once per request, however many middleware and handlers ask. A form over the limits
    /// (`DATA_UPLOAD_MAX_MEMORY_SIZE`, `DATA_UPLOAD_MAX_NUMBER_FIELDS`) throws a 413 or a 400.
    public var formFields: [String: String] {
        get throws {
            guard let cache = storage[FormCacheKey.self] else { return try Self.decodeForm(self, limits: FormLimits()).get() }
            return try cache.fields { Self.decodeForm(self, limits: cache.limits) }.get()
        }
    }

    static func decodeForm(_ request: Request, limits: FormLimits) -> Result<[String: String], FormDecodingError> {
        guard request.headers["Content-Type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return .success([:])
        }
        // A refused form is thrown as the FormDecodingError itself: the error funnel answers 413 or 400.
        return Result { () throws(FormDecodingError) in
            var fields: [String: String] = [:]
            for (name, value) in try FormDecoding.decodePairs(bytes: request.body, limits: limits) { fields[name] = value }
            return fields
        }
    }
}

/// Where `Application` leaves the per-request form cache, so a form is decoded once.
enum FormCacheKey: RequestStorageKey {
    typealias Value = FormCache
}

/// One request's decoded form (or the refusal), filled on first use. Shared by the copies of the request
/// that middleware pass along, so the CSRF check and the handler decode it once between them.
final class FormCache: Sendable {
    let limits: FormLimits
    private let decoded = Mutex<Result<[String: String], FormDecodingError>?>(nil)

    init(limits: FormLimits) {
        self.limits = limits
    }

    func fields(_ decode: () -> Result<[String: String], FormDecodingError>) -> Result<[String: String], FormDecodingError> {
        decoded.withLock { slot in
            if let slot { return slot }
            let result = decode()
            slot = result
            return result
        }
    }
}

extension Request {
    /// The path of a named route with its parameters, reversed by this application's router.
    ///
    /// ```swift
    /// return .redirect(to: try request.url(for: "notes"))
    /// ```
    public func url(for name: String, _ parameters: [String: any CustomStringConvertible & Sendable] = [:]) throws -> String {
        try application.router.url(for: name, parameters)
    }

    /// The path of a named route for one model: its `id` fills the route's `:id`.
    ///
    /// ```swift
    /// return .redirect(to: try request.url(for: "note.detail", note))   // /notes/42
    /// ```
    public func url(for name: String, _ model: some Model, _ parameters: [String: any CustomStringConvertible & Sendable] = [:]) throws -> String {
        guard let id = model.id else { throw ModelError.missingID(table: type(of: model).tableName) }
        var all = parameters
        all["id"] = id
        return try application.router.url(for: name, all)
    }
}
