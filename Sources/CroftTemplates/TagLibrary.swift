/// The filters and custom tags templates may use; parsers read a snapshot of it.
struct TagLibrary: Sendable {
    /// Filters by name, the built-ins first.
    var filters: [String: TemplateFilter] = BuiltinFilters.all
    /// Custom simple tags by name.
    var simpleTags: [String: SimpleTagFunction] = [:]
    /// Custom block tags by name (their end tag is `end` + name).
    var blockTags: [String: BlockTagFunction] = [:]
}
