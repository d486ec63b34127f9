import Foundation

extension BackupStore {
    /// A response that streams the backup named `name` as an attachment, 64 KiB at a time: never loaded
    /// into memory. For the `/staff/backups/<name>` download link.
    public func downloadResponse(named name: String) throws -> Response {
        let info = try backup(named: name)
        let path = info.path
        let headers: HTTPHeaders = [
            "Content-Type": info.isCompressed ? "application/gzip" : "application/vnd.sqlite3",
            "Content-Disposition": "attachment; filename=\"\(info.name)\"",
            "Cache-Control": "no-store",
        ]
        let length = Int(info.size)
        return Response(status: .ok, headers: headers, body: .stream(ResponseStream(length: length) { writer in
            guard let handle = FileHandle(forReadingAtPath: path) else { throw BackupError("cannot open \(path)") }
            defer { try? handle.close() }
            var remaining = length
            while remaining > 0 {
                let chunk = try handle.read(upToCount: min(remaining, 64 * 1024)) ?? Data()
                guard !chunk.isEmpty else { throw BackupError("\(path) shrank while being sent") }
                try await writer.write(Array(chunk))
                remaining -= chunk.count
            }
        }))
    }
}
