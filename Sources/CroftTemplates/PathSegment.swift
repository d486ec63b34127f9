/// One step of a dotted variable path, split and classified at parse time.
struct PathSegment: Sendable {
    /// The segment as written: a key, or digits.
    var name: String
    /// The segment as an array index, when it is all digits.
    var index: Int?

    init(_ name: String) {
        self.name = name
        self.index = name.allSatisfy(\.isASCII) && name.allSatisfy(\.isNumber) ? Int(name) : nil
    }
}
