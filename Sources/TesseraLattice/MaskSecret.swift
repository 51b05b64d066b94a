import Foundation
import TesseraRandom

/// A participant's round secret s_i ∈ R with centred binomial (η = 4) coefficients, held
/// with its NTT (computed once, reused for every block).
///
/// It masks exactly one update: `MaskedUpdate.mask` claims it and a second use is refused.
/// Two masks under one s with different updates would hand the coordinator
/// y − y' = Δ·(x − x') + (e − e'), i.e. the difference of the updates.
public final class MaskSecret: @unchecked Sendable {
    public let coefficients: [Int8]
    public let polynomial: SmallSecret
    private let lock = NSLock()
    private var used = false

    public var n: Int { coefficients.count }

    /// A fresh secret from `source` (n bytes, see `CenteredBinomial`). Production callers
    /// pass `SystemRandom`; simulations a ChaCha20 stream derived for this round. Throws only
    /// for a source that is not random (a ternary draw from B_4 has probability
    /// (182/256)^2048 ≈ 2^−1008; an all-zero source gives one).
    public static func sample<R: RandomSource>(parameters: MaskParameters, using source: inout R) throws -> MaskSecret {
        try MaskSecret(coefficients: CenteredBinomial.sample(count: parameters.n, using: &source), parameters: parameters)
    }

    /// A secret from stored coefficients (|c| ≤ η, n of them). Refuses a ternary one.
    public init(coefficients: [Int8], parameters: MaskParameters) throws {
        guard coefficients.count == parameters.n else {
            throw LatticeError.lengthMismatch(what: "mask secret coefficients", expected: parameters.n, actual: coefficients.count)
        }
        let eta = Int8(parameters.eta)
        for (i, c) in coefficients.enumerated() where c < -eta || c > eta {
            throw LatticeError.coefficientOutOfBound(index: i, value: Int64(c), bound: Int64(eta))
        }
        // Under B_4 each coefficient is in {−1, 0, 1} with probability 182/256, so an all-ternary
        // vector of n ≥ 2048 is a different distribution, not bad luck.
        guard coefficients.contains(where: { $0 < -1 || $0 > 1 }) else { throw LatticeError.ternarySecret }
        self.coefficients = coefficients
        polynomial = try SmallSecret(coefficients: coefficients.map(Int64.init), bound: Int64(eta))
    }

    /// Whether this secret has already masked an update.
    public var hasMasked: Bool { lock.withLock { used } }

    func claim() throws {
        try lock.withLock {
            guard !used else { throw LatticeError.secretReused }
            used = true
        }
    }
}
