import CCurl
import Foundation

/// Sends one message to an SMTP server with libcurl: STARTTLS required (`EMAIL_USE_TLS`) or TLS from the
/// start (`EMAIL_USE_SSL`), AUTH when a user is set, certificates verified.
///
/// libcurl is the platform's well-kept SMTP client (TLS, AUTH mechanisms, dot-stuffing, `SIZE`); this type
/// is the small Swift face over one blocking `curl_easy_perform`, which runs on a thread of its own so a
/// slow server never holds a thread of Swift's cooperative pool.
struct SMTPTransport: Sendable {
    let settings: MailSettings

    /// Sends `message` to its recipients; throws ``MailError/smtp(curlCode:replyCode:message:)``.
    func send(_ message: EmailMessage) async throws(MailError) {
        let settings = settings
        let result: Result<Void, MailError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result<Void, MailError>(catching: { () throws(MailError) in try Self.perform(message, settings: settings) }))
            }
            thread.name = "croft-smtp"
            thread.start()
        }
        try result.get()
    }

    /// libcurl's one-time set-up, thread-safe because a `static let` runs once.
    private static let globalInit: CURLcode = curl_global_init(croft_curl_global_default())

    /// What libcurl reads the message from.
    private final class Source {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    private static func perform(_ message: EmailMessage, settings: MailSettings) throws(MailError) {
        guard globalInit == CURLE_OK else {
            throw .smtp(curlCode: Int(globalInit.rawValue), replyCode: 0, message: "libcurl failed to initialise")
        }
        // Made before the handle, so it is freed after it: libcurl may write an error here until cleanup.
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        guard let handle = curl_easy_init() else {
            throw .smtp(curlCode: Int(CURLE_FAILED_INIT.rawValue), replyCode: 0, message: "libcurl could not make a handle")
        }
        defer { curl_easy_cleanup(handle) }
        let bytes = message.mime()
        guard bytes.count <= settings.maxSize else { throw .tooLarge(size: bytes.count, limit: settings.maxSize) }
        let source = Source(bytes)
        var recipients: UnsafeMutablePointer<curl_slist>?
        for recipient in message.to { recipients = curl_slist_append(recipients, "<\(recipient.address)>") }
        defer { curl_slist_free_all(recipients) }

        // The URL's path is the name given in EHLO: the sender's domain, not this machine's host name.
        let scheme = settings.useSSL ? "smtps" : "smtp"
        let host = settings.host.contains(":") && !settings.host.hasPrefix("[") ? "[\(settings.host)]" : settings.host
        let url = "\(scheme)://\(host):\(settings.port)/\(message.from.domain)"
        var status = CURLE_OK
        func set(_ code: CURLcode) { if status == CURLE_OK { status = code } }
        set(croft_curl_easy_setopt_string(handle, CURLOPT_URL, url))
        set(croft_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"))
        set(croft_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        set(croft_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        set(croft_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.timeoutSeconds))
        set(croft_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeoutSeconds))
        if settings.useTLS {
            // Required, never "try": a server that does not offer STARTTLS fails the send instead of getting it in clear.
            set(croft_curl_easy_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)))
        }
        if let caFile = settings.caFile { set(croft_curl_easy_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        if !settings.user.isEmpty {
            set(croft_curl_easy_setopt_string(handle, CURLOPT_USERNAME, settings.user))
            set(croft_curl_easy_setopt_string(handle, CURLOPT_PASSWORD, settings.password))
        }
        set(croft_curl_easy_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(message.from.address)>"))
        set(croft_curl_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients))
        set(croft_curl_easy_setopt_long(handle, CURLOPT_UPLOAD, 1))
        set(croft_curl_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(bytes.count)))
        set(croft_curl_easy_setopt_read_function(handle, { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            let source = Unmanaged<Source>.fromOpaque(userdata).takeUnretainedValue()
            let length = min(size * count, source.bytes.count - source.offset)
            source.bytes.withUnsafeBufferPointer { bytes in
                UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + source.offset, byteCount: length)
            }
            source.offset += length
            return length
        }))
        set(croft_curl_easy_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque()))
        guard status == CURLE_OK else {
            throw .smtp(curlCode: Int(status.rawValue), replyCode: 0, message: String(cString: curl_easy_strerror(status)))
        }
        let code = withExtendedLifetime(source) { curl_easy_perform(handle) }
        guard code != CURLE_OK else { return }
        var reply = 0
        _ = croft_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        // The reply code is the last one read: after a TLS failure it is the greeting's 220, so it only
        // counts when it is an error.
        let detail = String(cString: errorBuffer)
        throw .smtp(curlCode: Int(code.rawValue), replyCode: reply >= 400 ? reply : 0,
                    message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
    }
}
