import Foundation

/// Reads process facts once, keeping Foundation out of other files' hot paths.
enum ProcessInfoShim {
    /// The number of processors currently available to the process.
    static var activeProcessorCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}
