import Synchronization

/// A parsed template: its node tree, its `extends` parent and its blocks.
///
/// Parsed once and cached by ``TemplateEnvironment``; immutable and shareable across threads.
/// Rendering goes through the environment, which resolves `extends` and `include`.
public final class Template: Sendable {
    /// The `{% extends %}` clause of a child template.
    struct Parent: Sendable {
        var expression: FilterExpression
        var location: SourceLocation
    }

    /// The name the template was loaded under (`notes/list.html`).
    public let name: String
    /// The source text, kept for error excerpts.
    public let source: String
    let nodes: [Node]
    let parent: Parent?
    let blocks: [String: Node.Block]
    /// The size of the last output rendered from this template, to reserve the buffer once.
    let outputSizeHint = Atomic<Int>(0)

    init(name: String, source: String, nodes: [Node], parent: Parent?, blocks: [String: Node.Block]) {
        self.name = name
        self.source = source
        self.nodes = nodes
        self.parent = parent
        self.blocks = blocks
    }

    /// Parses `source` with the built-in filters and tags, plus those in `library`.
    convenience init(name: String, source: String, library: TagLibrary) throws {
        do {
            var parser = try Parser(source: source, name: name, library: library)
            let nodes = try parser.parseDocument()
            self.init(name: name, source: source, nodes: nodes, parent: parser.parent, blocks: parser.blocks)
        } catch var error as TemplateError {
            if error.template == name, error.source == nil { error.source = source }
            throw error
        }
    }
}
