#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CCroftSystem

/// Core count without Foundation, shared by the server (event loops) and the database pool (readers).
public enum ProcessInfoShim {
    /// The number of cores the process may run on (honours `taskset` on Linux), at least 1.
    public static var activeProcessorCount: Int {
        let count = Int(croft_available_cpus())
        if count > 0 { return count }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}
