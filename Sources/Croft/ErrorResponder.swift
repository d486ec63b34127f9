/// The one funnel that turns any thrown error into a response, so middleware always receives one.
///
/// `HTTPError` becomes its status and message; anything else is a 500 whose page shows an error id that is
/// logged with the error (and, in DEBUG, the error itself).
public struct ErrorResponder: Sendable {
    /// Renders an error page; replace it to use the site's templates.
    public var render: @Sendable (_ status: HTTPStatus, _ message: String, _ request: Request) -> Response
    let logger: Logger
    let debug: Bool

    /// A funnel with the built-in minimal HTML page.
    public init(logger: Logger, debug: Bool) {
        self.logger = logger
        self.debug = debug
        self.render = ErrorResponder.plainPage
    }

    /// The response for `error` thrown while handling `request`.
    public func response(for error: any Error, request: Request) -> Response {
        if let httpError = error as? HTTPError {
            var response = render(httpError.status, httpError.message, request)
            for field in httpError.headers { response.headers[field.name] = field.value }
            return response
        }
        logger.error("unhandled error: \(String(reflecting: error))", metadata: ["request_id": "\(request.id)"])
        let message = debug
            ? "\(String(reflecting: error)) (error id \(request.id))"
            : "Something went wrong on our side. The error was logged with id \(request.id)."
        return render(.internalServerError, message, request)
    }

    /// A small self-contained HTML error page.
    public static func plainPage(status: HTTPStatus, message: String, request: Request) -> Response {
        let title = "\(status.code) \(status.reasonPhrase)"
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(escapeHTML(title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">
            <h1>\(escapeHTML(title))</h1><p>\(escapeHTML(message))</p><p><a href="/">Home</a></p></body></html>
            """
        return .html(html, status: status)
    }
}

/// Escapes `& < > " '` for HTML text and attribute values.
public func escapeHTML(_ text: some StringProtocol) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#x27;"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}
