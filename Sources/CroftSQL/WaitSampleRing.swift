/// A bounded ring of recent wait times, in nanoseconds, with percentiles for a dashboard.
struct WaitSampleRing: Sendable {
    private var samples: [UInt64] = []
    private var next = 0
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        samples.reserveCapacity(self.capacity)
    }

    /// Records one sample, overwriting the oldest when full.
    mutating func record(_ nanoseconds: UInt64) {
        if samples.count < capacity {
            samples.append(nanoseconds)
        } else {
            samples[next] = nanoseconds
        }
        next = (next + 1) % capacity
    }

    /// The number of samples held.
    var count: Int { samples.count }

    /// The `fraction` percentile (0...1) by nearest rank, or 0 with no samples.
    func percentile(_ fraction: Double) -> UInt64 {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
