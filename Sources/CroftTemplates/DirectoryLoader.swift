import Foundation

/// Serves templates from files under a root directory (`Templates/`), named by relative path.
///
/// With `reloadOnChange` (development), every lookup checks the file's modification time and
/// size so an edited template is re-parsed on the next render; without it (production) a
/// template is read once. Names that climb out of the root (`..`) or are absolute are refused.
public struct DirectoryLoader: TemplateLoader {
    /// The directory templates are read from.
    public let root: URL
    /// Whether edits are picked up without a restart.
    public let reloadOnChange: Bool
    /// The file extensions ``allTemplateNames()`` lists.
    public let extensions: Set<String>

    /// Creates a loader reading under `root`.
    public init(root: URL, reloadOnChange: Bool = false, extensions: Set<String> = ["html", "txt", "xml", "json", "md"]) {
        self.root = root.standardizedFileURL
        self.reloadOnChange = reloadOnChange
        self.extensions = extensions
    }

    /// Reads the file for `name`.
    public func source(named name: String) throws -> TemplateSource {
        let path = try filePath(for: name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TemplateError.templateNotFound(name, detail: "no file at \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TemplateError(kind: .syntax, template: name, line: 0, column: 0, message: "template '\(name)' is not valid UTF-8")
        }
        return TemplateSource(text: text, version: reloadOnChange ? currentVersion(path) : nil)
    }

    /// The file's modification time and size when reloading is on; nil otherwise.
    public func version(of name: String) -> TemplateVersion? {
        guard reloadOnChange, let path = try? filePath(for: name) else { return nil }
        return currentVersion(path)
    }

    /// Every file under the root with one of ``extensions``, as relative paths, sorted.
    public func allTemplateNames() throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw TemplateError.templateNotFound(root.path, detail: "template directory cannot be read")
        }
        let rootPath = root.resolvingSymlinksInPath().path
        let prefix = rootPath.hasSuffix("/") ? rootPath : rootPath + "/"
        var names: [String] = []
        for case let url as URL in enumerator where extensions.contains(url.pathExtension) {
            let path = url.resolvingSymlinksInPath().path
            if path.hasPrefix(prefix) { names.append(String(path.dropFirst(prefix.count))) }
        }
        return names.sorted()
    }

    private func filePath(for name: String) throws -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, !name.hasPrefix("/"), !parts.contains(".."), !name.contains("\0") else {
            throw TemplateError.templateNotFound(name, detail: "invalid template name")
        }
        return root.appendingPathComponent(name).path
    }

    private func currentVersion(_ path: String) -> TemplateVersion? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return TemplateVersion(modified: modified, size: (attributes[.size] as? NSNumber)?.intValue ?? 0)
    }
}
