import Foundation

/// How signed fixed-point values are laid out in the slots of a Paillier plaintext, so that
/// the product of N ciphertexts decrypts to the slot-wise sum of N vectors with no carry
/// between slots (BatchCrypt: Zhang et al., USENIX ATC 2020, §4.2, "quantization with
/// padding"; here with a per-participant offset instead of two's complement).
///
/// Each participant encodes a value v with |v| ≤ `valueBound`, to which noise z with
/// |z| ≤ `noiseBound` has been added, as e = v + z + offset with offset = valueBound +
/// noiseBound, so 0 ≤ e ≤ 2·offset. A sum of at most `maxParticipants` such slots lies in
/// [0, 2·N·offset], which is below 2^slotBits by construction; slot j of a plaintext holds
/// bits [j·slotBits, (j+1)·slotBits), and all slots together stay below 2^(|n|−1) < n.
public struct PackingPlan: Sendable, Hashable, Codable {
    public let valueBound: Int64
    public let noiseBound: Int64
    public let maxParticipants: Int
    public let slotBits: Int
    public let slotsPerPlaintext: Int

    /// The per-participant offset added to every value.
    public var offset: Int64 { valueBound + noiseBound }
    /// The largest sum a slot can hold without overflow.
    public var slotCapacity: Int64 { (Int64(1) << slotBits) - 1 }

    /// Number of plaintexts (ciphertexts) for a vector of `length` values.
    public func plaintextCount(forLength length: Int) -> Int {
        (length + slotsPerPlaintext - 1) / slotsPerPlaintext
    }
}

/// A bound on one participant's noise, which holds except with `tailProbability`.
/// A participant whose sampled noise exceeds the bound must resample (the planner's
/// guarantee is about what is encoded, so out-of-bound values are refused by the packer).
public struct NoiseBound: Sendable, Hashable, Codable {
    public let value: Int64
    public let tailProbability: Double

    public init(value: Int64, tailProbability: Double) {
        self.value = value
        self.tailProbability = tailProbability
    }

    /// No noise (for tests and for counts released without DP).
    public static let none = NoiseBound(value: 0, tailProbability: 0)

    /// For a discrete Gaussian of scale σ: P[|Z| ≥ t] ≤ 2·exp(−t²/(2σ²)) (its sub-Gaussian
    /// tail, Canonne–Kamath–Steinke 2020, Proposition 19 with Corollary 9), so
    /// t = ⌈σ·√(2·ln(2/τ))⌉ + 1 bounds |Z| except with probability τ. This computes a
    /// public parameter; no noise is sampled in floating point.
    public static func discreteGaussian(sigma: Double, tailProbability tau: Double) -> NoiseBound {
        precondition(sigma >= 0 && tau > 0 && tau < 1)
        let t = (sigma * (2 * log(2 / tau)).squareRoot()).rounded(.up) + 1
        return NoiseBound(value: Int64(t), tailProbability: tau)
    }
}

public enum PackingError: Error, CustomStringConvertible, Equatable {
    case invalidBounds(String)
    case slotTooWide(bits: Int)
    case plaintextTooSmall(plaintextBits: Int, slotBits: Int)
    case valueOutOfRange(index: Int, value: Int64, bound: Int64)
    case slotOverflow(slot: Int)
    case plaintextOutOfRange(index: Int)
    case lengthMismatch(expected: Int, actual: Int)
    case tooManyContributions(Int, max: Int)

    public var description: String {
        switch self {
        case .invalidBounds(let why): return "packing: invalid bounds: \(why)"
        case .slotTooWide(let bits): return "packing: a slot would need \(bits) bits; at most 62 are supported (sums are decoded as 64-bit integers)"
        case .plaintextTooSmall(let p, let s): return "packing: a \(p)-bit plaintext cannot hold even one \(s)-bit slot"
        case .valueOutOfRange(let i, let v, let b): return "packing: value \(v) at index \(i) is outside [−\(b), \(b)] (value bound + noise bound)"
        case .slotOverflow(let s): return "packing: slot \(s) holds more than the plan allows (a contribution exceeded its bounds)"
        case .plaintextOutOfRange(let i): return "packing: plaintext \(i) is negative or wider than its slots"
        case .lengthMismatch(let e, let a): return "packing: expected \(e) values, got \(a)"
        case .tooManyContributions(let c, let m): return "packing: \(c) contributions exceed the plan's maximum of \(m)"
        }
    }
}

/// Chooses the slot width: the smallest number of bits that holds the largest possible sum of
/// `maxParticipants` encoded values, refusing any configuration that could overflow.
public enum BitWidthPlanner {
    public static func plan(valueBound: Int64, noise: NoiseBound, maxParticipants: Int,
                            plaintextBits: Int) throws -> PackingPlan {
        guard valueBound > 0 else { throw PackingError.invalidBounds("value bound must be positive") }
        guard noise.value >= 0 else { throw PackingError.invalidBounds("noise bound must be non-negative") }
        guard maxParticipants >= 1 else { throw PackingError.invalidBounds("at least one participant") }
        let (offset, o1) = valueBound.addingReportingOverflow(noise.value)
        let (span, o2) = offset.multipliedReportingOverflow(by: 2)
        let (maxSum, o3) = span.multipliedReportingOverflow(by: Int64(maxParticipants))
        guard !o1, !o2, !o3 else { throw PackingError.slotTooWide(bits: 64) }
        let slotBits = Int64.bitWidth - maxSum.leadingZeroBitCount  // maxSum < 2^slotBits
        guard slotBits <= 62 else { throw PackingError.slotTooWide(bits: slotBits) }
        let slots = (plaintextBits - 1) / slotBits
        guard slots >= 1 else { throw PackingError.plaintextTooSmall(plaintextBits: plaintextBits, slotBits: slotBits) }
        return PackingPlan(valueBound: valueBound, noiseBound: noise.value, maxParticipants: maxParticipants,
                           slotBits: slotBits, slotsPerPlaintext: slots)
    }
}
