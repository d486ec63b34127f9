/// Where a running `{% for %}` is; `forloop.counter` and friends are computed from it on demand,
/// so no dictionary is built per iteration.
struct LoopState: Sendable {
    /// The 0-based index of the current element.
    var index: Int
    /// The number of elements.
    var count: Int
    /// Which run of a loop this is (for `{% ifchanged %}`, whose memory starts afresh with each loop).
    var generation: Int = 0

    /// The value of `forloop.<name>`, or nil for an unknown name.
    func member(_ name: String) -> TemplateValue? {
        switch name {
        case "counter": .int(index + 1)
        case "counter0": .int(index)
        case "revcounter": .int(count - index)
        case "revcounter0": .int(count - index - 1)
        case "first": .bool(index == 0)
        case "last": .bool(index == count - 1)
        case "length": .int(count)
        default: nil
        }
    }

    /// All members as a dictionary, for printing `{{ forloop }}` or passing it on.
    var dictionary: [String: TemplateValue] {
        var entries: [String: TemplateValue] = [:]
        for name in ["counter", "counter0", "revcounter", "revcounter0", "first", "last", "length"] {
            entries[name] = member(name)
        }
        return entries
    }
}
