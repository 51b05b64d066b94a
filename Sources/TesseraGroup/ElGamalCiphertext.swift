import TesseraParallel

/// A ciphertext group: (c1, c2₁…c2_n) = (r·G, m₁·G + r·H₁, …, m_n·G + r·H_n) for n ≤ L
/// messages under one randomness r (see `ElGamalPublicKey`). Exponential ElGamal is additively
/// homomorphic: the component-wise sum encrypts the sum of the messages under the sum of the
/// randomness, so the coordinator aggregates without decrypting.
public struct ElGamalCiphertext: Sendable, Hashable {
    public let c1: GroupElement
    public let c2: [GroupElement]

    public init(c1: GroupElement, c2: [GroupElement]) {
        self.c1 = c1
        self.c2 = c2
    }

    /// Decodes c1 ‖ c2₁ ‖ … ‖ c2_n; `what` names the ciphertext in errors (index 0 is c1).
    public init<C: Collection>(encoded: C, messages n: Int, what: String = "ciphertext") throws where C.Element == UInt8 {
        let points = try [GroupElement](concatenated: encoded, count: n + 1, what: what)
        self.init(c1: points[0], c2: Array(points[1...]))
    }

    public var count: Int { c2.count }

    public var encoded: [UInt8] { ([c1] + c2).concatenated }

    /// Component-wise sum; both must hold the same number of messages.
    public static func + (a: ElGamalCiphertext, b: ElGamalCiphertext) -> ElGamalCiphertext {
        precondition(a.count == b.count, "adding ciphertext groups of different sizes")
        return ElGamalCiphertext(c1: a.c1 + b.c1, c2: zip(a.c2, b.c2).map { $0 + $1 })
    }

    /// The aggregate of several participants' ciphertext vectors, group by group
    /// ((P − 1)·(n + 1) additions per group), in parallel over groups. Every vector must have
    /// the same shape; an error names the first participant (0-based) and group that differ.
    public static func sum(_ vectors: [[ElGamalCiphertext]], parallelism: Parallelism = .serial) async throws -> [ElGamalCiphertext] {
        guard let first = vectors.first else { return [] }
        for (p, v) in vectors.enumerated() {
            guard v.count == first.count else {
                throw GroupError.shapeMismatch("participant \(p) has \(v.count) ciphertext groups, participant 0 has \(first.count)")
            }
            for g in v.indices where v[g].count != first[g].count {
                throw GroupError.shapeMismatch("participant \(p), group \(g): \(v[g].count) messages, participant 0 has \(first[g].count)")
            }
        }
        return try await parallelism.map(each: first.count) { g in
            let c1 = GroupElement.sum(vectors.lazy.map { $0[g].c1 })
            let c2 = (0..<first[g].count).map { l in GroupElement.sum(vectors.lazy.map { $0[g].c2[l] }) }
            return ElGamalCiphertext(c1: c1, c2: c2)
        }
    }
}

extension Array where Element == ElGamalCiphertext {
    /// Decodes a vector of ciphertext groups, group g holding `groupSizes[g]` messages:
    /// c1₀ ‖ c2₀,₁ ‖ … ‖ c2₀,ₙ₀ ‖ c1₁ ‖ … . An invalid point is named by `what`, its group and its
    /// position in the group (0 is c1).
    public init<C: Collection>(concatenated bytes: C, groupSizes: [Int], what: String) throws where C.Element == UInt8 {
        let total = groupSizes.reduce(0) { $0 + $1 + 1 }
        guard bytes.count == 32 * total else {
            throw GroupError.invalidLength(what: "\(what) (\(groupSizes.count) groups, \(total) points)", expected: 32 * total, found: bytes.count)
        }
        let all = Array<UInt8>(bytes)
        var out: [ElGamalCiphertext] = []
        out.reserveCapacity(groupSizes.count)
        var offset = 0
        for (g, n) in groupSizes.enumerated() {
            out.append(try ElGamalCiphertext(encoded: all[offset..<(offset + 32 * (n + 1))], messages: n, what: "\(what), group \(g)"))
            offset += 32 * (n + 1)
        }
        self = out
    }

    public var concatenated: [UInt8] { flatMap(\.encoded) }
}
