/// The column names ``Model`` treats as timestamps.
enum ModelTimestamps {
    static let createdNames: Set<String> = ["createdAt", "created_at"]
    static let updatedNames: Set<String> = ["updatedAt", "updated_at"]
}
