/// Django's `{% lorem %}`: the classic passage first, as Django writes it; what Django draws at random
/// beyond it (more words, more paragraphs, or everything with `random`) is drawn here from the same
/// vocabulary, so it differs from Django's draw as one random draw differs from another.
enum Lorem {
    /// Django's COMMON_P.
    static let commonParagraph = """
        Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et \
        dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip \
        ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu \
        fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt \
        mollit anim id est laborum.
        """
    /// Django's COMMON_WORDS: the first words of `{% lorem N w %}`.
    static let commonWords = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipisicing", "elit", "sed",
                              "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua"]
    /// The vocabulary the rest is drawn from.
    static let vocabulary = commonWords + ["enim", "ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco",
                                           "laboris", "nisi", "aliquip", "ex", "ea", "commodo", "consequat", "duis", "aute",
                                           "irure", "in", "reprehenderit", "voluptate", "velit", "esse", "cillum", "eu",
                                           "fugiat", "nulla", "pariatur", "excepteur", "sint", "occaecat", "cupidatat",
                                           "non", "proident", "sunt", "culpa", "qui", "officia", "deserunt", "mollit",
                                           "anim", "id", "est", "laborum"]

    /// `count` words (`w`), HTML paragraphs (`p`) or plain paragraphs (`b`, separated by a blank line).
    static func text(count: Int, method: String, random: Bool) -> String {
        guard count > 0 else { return "" }
        switch method {
        case "w":
            var words = random ? [] : Array(commonWords.prefix(count))
            while words.count < count { words.append(vocabulary.randomElement()!) }
            return words.joined(separator: " ")
        default:
            let paragraphs = (0..<count).map { index in index == 0 && !random ? commonParagraph : paragraph() }
            return method == "p" ? paragraphs.map { "<p>\($0)</p>" }.joined(separator: "\n\n") : paragraphs.joined(separator: "\n\n")
        }
    }

    /// A paragraph of one to four sentences, each of a few comma-separated phrases.
    static func paragraph() -> String {
        (0..<Int.random(in: 1...4)).map { _ in
            let sentence = (0..<Int.random(in: 6...14)).map { _ in vocabulary.randomElement()! }.joined(separator: " ")
            return sentence.prefix(1).uppercased() + sentence.dropFirst() + "."
        }.joined(separator: " ")
    }
}
