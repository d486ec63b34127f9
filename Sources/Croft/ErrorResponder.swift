/// The one funnel that turns any thrown error into a response, so middleware always receives one.
///
/// An ``HTTPResponseError`` (``HTTPError``, a missing model, a constraint failure, a refused form...) becomes
/// its status and message; anything else is a 500 whose page shows an error id that is logged with the error
/// (and, in DEBUG, the error itself). docs/errors.md has the table.
public struct ErrorResponder: Sendable {
    /// Renders an error page (the thrown error is passed when there was one).
    public let render: @Sendable (_ status: HTTPStatus, _ message: String, _ error: (any Error)?, _ request: Request) -> Response
    let logger: Logger
    let debug: Bool

    /// A funnel rendering pages with `render`, by default the built-in minimal HTML page.
    public init(logger: Logger, debug: Bool,
                render: (@Sendable (HTTPStatus, String, (any Error)?, Request) -> Response)? = nil) {
        self.logger = logger
        self.debug = debug
        self.render = render ?? { status, message, _, request in
            ErrorResponder.plainPage(status: status, message: message, request: request)
        }
    }

    /// The response for `error` thrown while handling `request`.
    ///
    /// An ``HTTPResponseError`` becomes its status, public message (with its debug detail in DEBUG) and
    /// headers; a conformer with status 500 other than ``HTTPError``, and any other error, is a bug: logged
    /// with the request id, answered with a 500 page that shows the id.
    public func response(for error: any Error, request: Request) -> Response {
        if let responseError = error as? any HTTPResponseError,
           responseError.status != .internalServerError || error is HTTPError {
            var message = responseError.publicMessage
            if debug, let detail = responseError.debugDetail { message += " (\(detail))" }
            // A lower layer's error answered as a 4xx is logged (a constraint failure on a table the visitor
            // never meant to touch is a bug that would otherwise be a silent 409); HTTPError was chosen.
            if !(error is HTTPError) {
                logger.log(level: error is SQLiteError ? .notice : .debug,
                           "\(responseError.status.code) for \(String(reflecting: error))", metadata: ["request_id": "\(request.id)"])
            }
            var response = render(responseError.status, message, nil, request)
            for field in responseError.headers { response.headers[field.name] = field.value }
            return response
        }
        logger.error("unhandled error: \(String(reflecting: error))", metadata: ["request_id": "\(request.id)"])
        let message = debug
            ? "\(String(reflecting: error)) (error id \(request.id))"
            : "Something went wrong on our side. The error was logged with id \(request.id)."
        return render(.internalServerError, message, error, request)
    }

    /// The DEBUG page for a template error: template, line, column, message and the source around it.
    public static func templateDebugPage(_ error: TemplateError, request: Request) -> Response {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>TemplateError</title></head>
            <body style="font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem">
            <h1>Template error</h1>
            <p><strong>\(escapeHTML(error.template))</strong>, line \(error.line), column \(error.column)</p>
            <p>\(escapeHTML(error.message))</p>
            <pre style="background:#f4f2ee;padding:1rem;overflow:auto">\(escapeHTML(error.excerpt()))</pre>
            <p>Request id \(escapeHTML(request.id)). This page is shown because DEBUG is on.</p></body></html>
            """
        return .html(html, status: .internalServerError)
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
