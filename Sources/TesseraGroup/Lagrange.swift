/// Lagrange interpolation at 0 over the scalars (Shamir 1979): for a set S of distinct holder
/// indices, f(0) = Σ_{j∈S} λ_j·f(j) with λ_j = Π_{i∈S, i≠j} i / (i − j) mod ℓ, for any f of
/// degree < |S|.
public enum Lagrange {
    /// λ_j for each index of `indices`, in the same order. Refuses duplicates and indices
    /// outside 1...UInt32.max.
    public static func coefficientsAtZero(for indices: [Int]) throws -> [Scalar] {
        var seen = Set<Int>()
        for j in indices {
            guard j >= 1, j <= Int(UInt32.max) else { throw GroupError.invalidHolderIndex(j) }
            guard seen.insert(j).inserted else { throw GroupError.duplicateHolder(j) }
        }
        let xs = indices.map { Scalar(UInt64($0)) }
        return try xs.indices.map { a in
            var numerator = Scalar.one, denominator = Scalar.one
            for b in xs.indices where b != a {
                numerator = numerator * xs[b]
                denominator = denominator * (xs[b] - xs[a])
            }
            return numerator * (try denominator.inverse())
        }
    }
}
