#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Signature work spread over the machine's cores. Ed25519 signing and verification
/// dominate renewals and audits, and each signature is independent of the others.
enum Parallel {
    /// One worker per online core, at least two, at most 16.
    static let threads: Int = {
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        return min(16, max(2, online))
    }()

    /// Returns `body` applied to every element, in the elements' order, computed on every core.
    static func map<Element: Sendable, Mapped: Sendable>(
        _ elements: [Element], _ body: @escaping @Sendable (Element) -> Mapped
    ) -> [Mapped] {
        Batch(elements, body).results()
    }

    /// Serial queues for the workers of successive batches, one worker per queue. A batch
    /// queued ahead then waits behind the previous one instead of adding busy threads to
    /// busy cores, and a worker thread goes on to the next batch without sleeping. With
    /// more busy threads than cores, one preempted while it holds a lock (the allocator's,
    /// say) stalls the others. A thread woken for each batch can also be placed on a busy
    /// core while another core stays idle.
    final class Lanes: Sendable {
        let queues: [DispatchQueue]

        init(count: Int) {
            queues = (0..<max(1, count)).map { DispatchQueue(label: "vupt.parallel.lane\($0)") }
        }
    }

    /// Work on a list of elements that background workers start at once. The thread that
    /// calls `results()` also takes elements until none is left, so no core idles while
    /// work remains, whatever else that thread did in the meantime.
    final class Batch<Element: Sendable, Mapped: Sendable>: @unchecked Sendable {
        private var elements: [Element]
        private var body: (@Sendable (Element) -> Mapped)?
        // Each slot is written once, by the thread that claimed its index, and read only
        // after every worker has signalled `finished`.
        private let slots: UnsafeMutableBufferPointer<Mapped?>
        private let nextIndex = Atomic<Int>(0)
        private let finished = DispatchSemaphore(value: 0)
        private let workers: Int
        private var collected: [Mapped]?

        /// Starts `workers` background threads on `elements`. Pass one fewer than the cores
        /// when the calling thread has its own work meanwhile. It joins in when it calls
        /// `results()`, and no core is shared by two busy threads. With `lanes`, one worker
        /// runs on each lane, after the workers of batches queued there before.
        convenience init(
            _ elements: [Element], workers: Int = Parallel.threads, _ body: @escaping @Sendable (Element) -> Mapped
        ) {
            self.init(elements, workers: workers, lanes: nil, body)
        }

        convenience init(_ elements: [Element], lanes: Lanes, _ body: @escaping @Sendable (Element) -> Mapped) {
            self.init(elements, workers: lanes.queues.count, lanes: lanes, body)
        }

        private init(
            _ elements: [Element], workers: Int, lanes: Lanes?, _ body: @escaping @Sendable (Element) -> Mapped
        ) {
            self.elements = elements
            self.body = body
            slots = .allocate(capacity: elements.count)
            slots.initialize(repeating: nil)
            self.workers = min(max(1, workers), elements.count)
            for worker in 0..<self.workers {
                (lanes?.queues[worker] ?? DispatchQueue.global()).async {
                    self.drain()
                    self.finished.signal()
                }
            }
        }

        deinit {
            slots.deinitialize()
            slots.deallocate()
        }

        private func drain() {
            while true {
                let index = nextIndex.add(1, ordering: .relaxed).oldValue
                guard index < elements.count else { return }
                slots[index] = body!(elements[index])
            }
        }

        /// Helps with the remaining elements, waits for the workers and returns every result
        /// in the elements' order. Later calls return the same results.
        func results() -> [Mapped] {
            if let collected { return collected }
            drain()
            for _ in 0..<workers { finished.wait() }
            let results = slots.map { $0! }
            collected = results
            // The workers may hold the last reference to this batch. What the elements, the
            // work and the slots refer to is released here, on the calling thread, so that no
            // worker frees the caller's memory while the caller allocates.
            slots.update(repeating: nil)
            elements = []
            body = nil
            return results
        }
    }
}
