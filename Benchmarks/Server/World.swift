import Croft

/// One row of the TechEmpower `world` table (10,000 rows, ids 1...10000), as the JSON tests return it.
struct World: Encodable, Sendable {
    var id: Int
    var randomNumber: Int
}

extension World {
    static let count = 10_000
    static let selectByID = "SELECT id, randomNumber FROM world WHERE id = ?"
    static let updateRandomNumber = "UPDATE world SET randomNumber = ? WHERE id = ?"

    /// Reads the row with `id` through the connection's cached statement, building no `Row`.
    static func fetch(id: Int, from db: Connection) throws -> World? {
        var world: World?
        try db.each(selectByID, arguments: [Int64(id)]) { statement in
            world = World(id: Int(statement.int64(at: 0)), randomNumber: Int(statement.int64(at: 1)))
        }
        return world
    }

    /// Reads `count` random rows in one read transaction (one snapshot, one trip to a reader).
    static func fetchRandom(_ count: Int, from db: Connection) throws -> [World] {
        var random = FastRandom()
        var worlds: [World] = []
        worlds.reserveCapacity(count)
        for _ in 0..<count {
            if let world = try fetch(id: random.worldID(), from: db) { worlds.append(world) }
        }
        return worlds
    }
}
