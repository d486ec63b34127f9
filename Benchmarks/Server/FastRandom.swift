/// SplitMix64 seeded once per request from the system generator.
///
/// `Int.random(in:)` asks the kernel (`getrandom`) on every call; `/queries?q=500` would make 500
/// system calls for ids that need no cryptographic quality. https://prng.di.unimi.it/splitmix64.c
struct FastRandom: RandomNumberGenerator {
    private var state: UInt64

    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A world id in 1...10000 (also used as a new `randomNumber`).
    mutating func worldID() -> Int { Int.random(in: 1...World.count, using: &self) }
}
