#if canImport(Glibc)
import Glibc
#endif

/// Reads the host's real-time clock.
public enum SystemClock {
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(secondsSince1970: Int64(spec.tv_sec))
    }
}
