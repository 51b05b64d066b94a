import TesseraParallel

/// Threshold decryption's last step (Desmedt–Frankel 1989 threshold ElGamal; Pedersen 1991 §4):
/// from t verified holders S, M_{g,l} = C2_{g,l} − Σ_{j∈S} λ_j·D_{j,g,l} = m_{g,l}·G, with λ_j the
/// Lagrange coefficients at 0 (`Lagrange`); then m_{g,l} is a small discrete logarithm
/// (`DiscreteLogTable`). Cost per message: t variable-base multiplications and t additions.
public enum ElGamalCombiner {
    /// M_{g,l} for every message of `ciphertexts` (the aggregates), in parallel over groups.
    /// Refuses fewer than `threshold` partials, a holder twice, and partials verified for other
    /// aggregates than these ciphertexts' c1 values (naming the holder). Every partial given is
    /// used, so pass exactly t for the least work.
    public static func combine(_ ciphertexts: [ElGamalCiphertext], partials: [VerifiedElGamalPartial], threshold: Int,
                               parallelism: Parallelism = .serial) async throws -> [[GroupElement]] {
        guard threshold >= 1 else { throw GroupError.invalidParameters("threshold \(threshold)") }
        guard partials.count >= threshold else { throw GroupError.notEnoughHolders(needed: threshold, found: partials.count) }
        let lambda = try Lagrange.coefficientsAtZero(for: partials.map(\.index))
        let c1 = ciphertexts.map(\.c1)
        for p in partials {
            guard p.aggregates == c1 else {
                throw GroupError.invalidPartialDecryption(holder: p.index, reason: "verified for other aggregates than these ciphertexts")
            }
            if let g = ciphertexts.indices.first(where: { p.shares[$0].count < ciphertexts[$0].count }) {
                throw GroupError.invalidPartialDecryption(holder: p.index, reason: "group \(g) has fewer shares than messages")
            }
        }
        let shares = partials.map(\.shares)
        return try await parallelism.map(each: ciphertexts.count) { g in
            ciphertexts[g].c2.indices.map { l in
                let mask = GroupElement.sum(shares.indices.lazy.map { j in shares[j][g][l].multiplied(by: lambda[j]) })
                return ciphertexts[g].c2[l] - mask
            }
        }
    }

    /// `combine`, then the discrete logarithm of every value; throws
    /// `GroupError.discreteLogOutOfRange` naming the first group and message outside the table.
    public static func decrypt(_ ciphertexts: [ElGamalCiphertext], partials: [VerifiedElGamalPartial], threshold: Int,
                               table: DiscreteLogTable, parallelism: Parallelism = .serial) async throws -> [[UInt64]] {
        let points = try await combine(ciphertexts, partials: partials, threshold: threshold, parallelism: parallelism)
        let solved: [[UInt64?]] = try await parallelism.map(each: points.count) { g in points[g].map { table.solve($0) } }
        return try solved.enumerated().map { g, row in
            try row.enumerated().map { l, v in
                guard let v else { throw GroupError.discreteLogOutOfRange(group: g, index: l) }
                return v
            }
        }
    }
}
