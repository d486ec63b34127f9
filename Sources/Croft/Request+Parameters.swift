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

    /// The decoded fields of an `application/x-www-form-urlencoded` body.
    public var formFields: [String: String] {
        guard headers["Content-Type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return [:]
        }
        return FormDecoding.decode(bodyText)
    }
}
