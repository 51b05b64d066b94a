import TesseraParallel

/// Discrete logarithms of m·G for m in [0, B^k), by Shanks's baby-step giant-step (Shanks 1971)
/// shaped for packed digits (`DiscreteLogPlan`):
///
/// - baby steps: j·G ↦ j for j in [0, B^k_b) (the low k_b digits), built by repeated addition
///   of G (one addition per entry), in parallel chunks;
/// - giant steps: −(h·B^k_b)·G for every value h of the high k − k_b digits, tried in order of
///   increasing Σ (d_i − μ)² over those digits (ties by h), so an honest sum is usually found
///   in the first few tries: each try is one addition and one dictionary lookup.
///
/// The search is complete: every m in range is found and anything else gives nil after
/// B^(k − k_b) tries. Build once per round and share: immutable after `init`, so concurrent
/// `solve` calls are safe. Variable time by design: inputs are aggregates that are decrypted
/// anyway.
public final class DiscreteLogTable: Sendable {
    public let plan: DiscreteLogPlan
    private let table: [Bytes32: UInt32]
    /// (h·B^k_b, −(h·B^k_b)·G) in search order.
    private let giants: [(offset: UInt64, point: GroupElement)]

    public init(plan: DiscreteLogPlan, parallelism: Parallelism = .serial) async throws {
        self.plan = plan
        let entries = plan.tableEntries
        let baby = try await Self.progression(count: entries, step: .generator, parallelism: parallelism)
        var table = [Bytes32: UInt32](minimumCapacity: entries)
        for (j, p) in baby.enumerated() { table[p.storage] = UInt32(j) }
        self.table = table

        let blockSize = UInt64(entries)
        let giantStep = -GroupElement.base(Scalar(blockSize))
        let points = try await Self.progression(count: plan.giantSteps, step: giantStep, parallelism: parallelism)
        let order = Self.searchOrder(plan: plan)
        giants = order.map { h in (UInt64(h) * blockSize, points[h]) }
    }

    /// m with point = m·G and m < B^k, or nil.
    public func solve(_ point: GroupElement) -> UInt64? {
        for (offset, giant) in giants {
            let candidate = offset == 0 ? point : point + giant
            if let low = table[candidate.storage] { return offset + UInt64(low) }
        }
        return nil
    }

    /// `solve` for every point, in parallel.
    public func solve(_ points: [GroupElement], parallelism: Parallelism = .serial) async throws -> [UInt64?] {
        try await parallelism.map(each: points.count, minimumChunk: 16) { self.solve(points[$0]) }
    }

    /// i·step for i in [0, count): each chunk starts from one scalar multiplication, then adds.
    static func progression(count: Int, step: GroupElement, parallelism: Parallelism) async throws -> [GroupElement] {
        try await parallelism.map(count, minimumChunk: 256) { range in
            var out: [GroupElement] = []
            out.reserveCapacity(range.count)
            var p = step.multiplied(by: Scalar(UInt64(range.lowerBound)))
            for i in range {
                out.append(p)
                if i + 1 < range.upperBound { p = p + step }
            }
            return out
        }
    }

    /// Giant indices h in [0, B^(k − k_b)) sorted by the squared distance of their digits from μ.
    static func searchOrder(plan: DiscreteLogPlan) -> [Int] {
        let n = plan.giantSteps, b = Int(plan.base), mu = Int(plan.expectedDigit)
        let highDigits = plan.digits - plan.babyDigits
        let distance: [Int] = (0..<n).map { h in
            var rest = h, d2 = 0
            for _ in 0..<highDigits {
                let d = rest % b - mu
                d2 += d * d
                rest /= b
            }
            return d2
        }
        return (0..<n).sorted { distance[$0] != distance[$1] ? distance[$0] < distance[$1] : $0 < $1 }
    }
}
