import CroftTemplates

/// The benchmark data, as Encodable models and as plain dictionaries for Stencil and Mustache.
struct Fortune: Encodable {
    var id: Int
    var message: String
}

struct FortunesPage: Encodable {
    var fortunes: [Fortune]
}

enum BenchmarkData {
    /// The TechEmpower fortunes, plus the one added at request time, sorted by message.
    static let fortunes: [Fortune] = {
        var rows = [
            Fortune(id: 1, message: "fortune: No such file or directory"),
            Fortune(id: 2, message: "A computer scientist is someone who fixes things that aren't broken."),
            Fortune(id: 3, message: "After enough decimal places, nobody gives a damn."),
            Fortune(id: 4, message: "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1"),
            Fortune(id: 5, message: "A computer program does what you tell it to do, not what you want it to do."),
            Fortune(id: 6, message: "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen"),
            Fortune(id: 7, message: "Any program that runs right is obsolete."),
            Fortune(id: 8, message: "A list is only as strong as its weakest link. — Donald Knuth"),
            Fortune(id: 9, message: "Feature: A bug with seniority."),
            Fortune(id: 10, message: "Computers make very fast, very accurate mistakes."),
            Fortune(id: 11, message: "<script>alert(\"This should not be displayed in a browser alert box.\");</script>"),
            Fortune(id: 12, message: "フレームワークのベンチマーク"),
        ]
        rows.append(Fortune(id: 0, message: "Additional fortune added at request time."))
        return rows.sorted { $0.message < $1.message }
    }()

    static var fortunesAny: [String: Any] {
        ["fortunes": fortunes.map { ["id": $0.id, "message": $0.message] as [String: Any] }]
    }

    static var dashboardAny: [String: Any] {
        let nav: [[String: Any]] = ["Home", "Notes", "Tags", "Search", "Settings", "Staff", "Help", "Log out"]
            .enumerated().map { ["url": "/\($0.element.lowercased())/", "label": $0.element, "active": $0.offset == 1] }
        let notes: [[String: Any]] = (1...50).map { index in
            [
                "id": index,
                "title": "Note number \(index) about <things> & stuff",
                "author": ["name": index % 3 == 0 ? "Ada O'Neil" : "Grace \"Amazing\" Hopper"],
                "tags": ["swift", "sqlite", "tag\(index % 7)"],
                "pinned": index % 5 == 0,
                "updated": "2026-11-\(10 + index % 20) 10:\(10 + index % 50)",
                "excerpt": "This is the beginning of note \(index), with some <em>markup</em> to escape & more text.",
            ]
        }
        return [
            "nav": nav, "notes": notes, "site": ["name": "Croft", "year": 2026] as [String: Any],
            "user": ["name": "Ada & Co", "isStaff": true] as [String: Any],
        ]
    }

    /// Converts the plain dictionaries into template values (done once, outside the timing).
    static func templateValue(_ value: Any) -> TemplateValue {
        switch value {
        case let text as String: .string(text)
        case let flag as Bool: .bool(flag)
        case let number as Int: .int(number)
        case let items as [Any]: .array(items.map(templateValue))
        case let entries as [String: Any]: .dictionary(entries.mapValues(templateValue))
        default: .null
        }
    }
}
