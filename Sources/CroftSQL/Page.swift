/// One page of a paginated list, with what a template needs to draw the pager.
///
/// `Encodable` when its items are: a template sees `page.items`, `page.number`, `page.total_pages`,
/// `page.count`, `page.previous` and `page.next` (absent on the first and last page).
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
    public var totalPages: Int {
        // Not (totalCount + perPage - 1) / perPage: that overflows for a huge perPage.
        guard perPage > 0 else { return 1 }
        return max(1, totalCount / perPage + (totalCount % perPage == 0 ? 0 : 1))
    }
    /// True when `number` is beyond the last page (only page 1 of an empty list exists): answer 404.
    public var isPastEnd: Bool { number < 1 || number > totalPages }
    /// True when a later page exists.
    public var hasNext: Bool { number < totalPages }
    /// True when an earlier page exists.
    public var hasPrevious: Bool { number > 1 }
    /// The next page number, if any.
    public var nextNumber: Int? { hasNext ? number + 1 : nil }  // hasNext implies number < Int.max
    /// The previous page number, if any.
    public var previousNumber: Int? { hasPrevious ? number - 1 : nil }
}

extension Page: Encodable where Item: Encodable {
    private enum CodingKeys: String, CodingKey {
        case items, number, perPage = "per_page", totalPages = "total_pages", count, previous, next
    }

    /// The items and the pager's numbers, under the names templates use.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(number, forKey: .number)
        try container.encode(perPage, forKey: .perPage)
        try container.encode(totalPages, forKey: .totalPages)
        try container.encode(totalCount, forKey: .count)
        try container.encodeIfPresent(previousNumber, forKey: .previous)
        try container.encodeIfPresent(nextNumber, forKey: .next)
    }
}
