import Foundation

/// How many threads a node's cryptographic work may use (`--threads`, default: every core).
///
/// Work is split into contiguous chunks, one child task per chunk in a task group
/// (structured concurrency: every chunk finishes, or the first error cancels the rest, before
/// the call returns), and results come back in index order, so the output never depends on
/// the number of threads. Randomised work takes one random stream per item or per chunk from
/// its caller, never a shared generator, for the same reason.
public struct Parallelism: Sendable, Hashable, CustomStringConvertible {
    public let threads: Int

    public init(threads: Int) {
        self.threads = max(1, threads)
    }

    /// Every core of this machine.
    public static var all: Parallelism { Parallelism(threads: ProcessInfo.processInfo.activeProcessorCount) }
    public static let serial = Parallelism(threads: 1)

    public var description: String { "\(threads) thread\(threads == 1 ? "" : "s")" }

    /// The chunks `0..<count` is cut into: at most `threads`, none shorter than `minimumChunk`
    /// (so that tiny inputs do not pay for task creation).
    public func chunks(_ count: Int, minimumChunk: Int = 1) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let pieces = max(1, min(threads, count / max(1, minimumChunk)))
        var out: [Range<Int>] = []
        out.reserveCapacity(pieces)
        for p in 0..<pieces {
            out.append((count * p / pieces)..<(count * (p + 1) / pieces))
        }
        return out
    }

    /// `body` over each chunk of `0..<count`, concatenated in index order.
    public func map<T: Sendable>(_ count: Int, minimumChunk: Int = 1,
                                 _ body: @escaping @Sendable (Range<Int>) throws -> [T]) async throws -> [T] {
        let ranges = chunks(count, minimumChunk: minimumChunk)
        if ranges.count <= 1 { return try ranges.first.map(body) ?? [] }
        return try await withThrowingTaskGroup(of: (Int, [T]).self) { group in
            for (i, range) in ranges.enumerated() {
                group.addTask { (i, try body(range)) }
            }
            var parts = [[T]](repeating: [], count: ranges.count)
            for try await (i, part) in group { parts[i] = part }
            return parts.flatMap { $0 }
        }
    }

    /// `body(i)` for every i in `0..<count`, in index order.
    public func map<T: Sendable>(each count: Int, minimumChunk: Int = 1,
                                 _ body: @escaping @Sendable (Int) throws -> T) async throws -> [T] {
        try await map(count, minimumChunk: minimumChunk) { range in try range.map(body) }
    }

    /// Runs `body` on every chunk for its side effects or checks (the first error is thrown).
    public func forEach(_ count: Int, minimumChunk: Int = 1,
                        _ body: @escaping @Sendable (Range<Int>) throws -> Void) async throws {
        let _: [Bool] = try await map(count, minimumChunk: minimumChunk) { range in try body(range); return [] }
    }
}
