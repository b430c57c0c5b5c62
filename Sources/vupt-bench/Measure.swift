#if canImport(Glibc)
import Glibc
#endif

/// Timing and process helpers for the benchmarks.
enum Measure {
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Seconds per call of each body: the median of `rounds` rounds. The bodies alternate
    /// round by round, so a change in machine load affects each of them the same way.
    static func perCallAlternating(
        iterations: Int, rounds: Int = 11, _ bodies: [() throws -> Void]
    ) throws -> [Double] {
        var samples = Array(repeating: [Double](), count: bodies.count)
        for _ in 0..<rounds {
            for (index, body) in bodies.enumerated() {
                let start = now()
                for _ in 0..<iterations { try body() }
                samples[index].append((now() - start) / Double(iterations))
            }
        }
        return samples.map(median)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    /// Runs a program to completion and returns its wall time in seconds and peak RSS in KiB.
    static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) -> (seconds: Double, maxRSSKiB: Int, status: Int32) {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        posix_spawn_file_actions_addopen(&fileActions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&fileActions, 2, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var environmentList = ["PATH=/usr/bin:/bin"]
        for (key, value) in environment { environmentList.append("\(key)=\(value)") }
        let envp = environmentList.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }

        var pid: pid_t = 0
        let start = now()
        guard posix_spawn(&pid, path, &fileActions, nil, argv, envp) == 0 else {
            fatalError("cannot start \(path)")
        }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let elapsed = now() - start
        return (elapsed, Int(usage.ru_maxrss), (status >> 8) & 0xFF)
    }

    /// Median wall time of `runs` runs, alternating the programs so that drift in machine
    /// load affects each the same way.
    static func processTimes(_ programs: [(path: String, arguments: [String])], runs: Int) -> [Double] {
        var samples = Array(repeating: [Double](), count: programs.count)
        for _ in 0..<runs {
            for (index, program) in programs.enumerated() {
                samples[index].append(run(program.path, program.arguments).seconds)
            }
        }
        return samples.map(median)
    }
}
