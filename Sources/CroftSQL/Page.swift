/// One page of a paginated list, with what a template needs to draw the pager.
public struct Page<Item: Sendable>: Sendable {
    /// The items on this page.
    public let items: [Item]
    /// The 1-based page number.
    public let number: Int
    /// The page size.
    public let perPage: Int
    /// Matching items across all pages.
    public let totalCount: Int

    /// Creates a page from its parts.
    public init(items: [Item], number: Int, perPage: Int, totalCount: Int) {
        self.items = items
        self.number = number
        self.perPage = perPage
        self.totalCount = totalCount
    }

    /// The number of pages (at least 1, so an empty list still has page 1).
    public var totalPages: Int { max(1, (totalCount + perPage - 1) / perPage) }
    /// True when a later page exists.
    public var hasNext: Bool { number < totalPages }
    /// True when an earlier page exists.
    public var hasPrevious: Bool { number > 1 }
    /// The next page number, if any.
    public var nextNumber: Int? { hasNext ? number + 1 : nil }
    /// The previous page number, if any.
    public var previousNumber: Int? { hasPrevious ? number - 1 : nil }
}
