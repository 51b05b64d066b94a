import TesseraRandom

/// A dealer's random polynomial f(x) = a₀ + a₁x + … + a_{t−1}x^{t−1} over the scalars, for
/// Shamir (1979) sharing of a₀ with threshold t. Secret: `description` does not print it.
public struct SecretPolynomial: Sendable, Equatable, CustomStringConvertible {
    /// a₀…a_{t−1}.
    let coefficients: [Scalar]

    public init(coefficients: [Scalar]) throws {
        guard !coefficients.isEmpty else { throw GroupError.invalidParameters("a polynomial has at least one coefficient") }
        self.coefficients = coefficients
    }

    /// Uniform coefficients from `rng` (`Scalar.random`, in order a₀…a_{t−1}).
    public static func random<R: RandomSource>(threshold t: Int, using rng: inout R) throws -> SecretPolynomial {
        guard t >= 1 else { throw GroupError.invalidParameters("threshold \(t)") }
        return try SecretPolynomial(coefficients: (0..<t).map { _ in Scalar.random(using: &rng) })
    }

    /// t (degree + 1).
    public var threshold: Int { coefficients.count }

    /// f(j) by Horner's rule.
    public func evaluate(at index: Int) -> Scalar {
        let x = Scalar(UInt64(index))
        return coefficients.dropLast().reversed().reduce(coefficients[coefficients.count - 1]) { $0 * x + $1 }
    }

    /// Feldman (1987) commitments A_k = a_k·G.
    public var commitments: [GroupElement] { coefficients.map { GroupElement.base($0) } }

    /// The coefficients, for storage with mode 0600 only.
    public var coefficientsForStorage: [Scalar] { coefficients }

    public var description: String { "SecretPolynomial(threshold \(threshold), coefficients redacted)" }
}

/// Feldman verifiable secret sharing (Feldman 1987) on commitments A₀…A_{t−1} to a polynomial.
public enum Feldman {
    /// Σ_k j^k·A_k by Horner's rule: F(j) = f(j)·G for the committed f ((t − 1) multiplications
    /// by the public j and as many additions).
    public static func evaluate(_ commitments: [GroupElement], at index: Int) -> GroupElement {
        precondition(!commitments.isEmpty, "no commitments")
        let x = Scalar(UInt64(index))
        return commitments.dropLast().reversed().reduce(commitments[commitments.count - 1]) { $0.multiplied(by: x) + $1 }
    }

    /// share·G == Σ_k j^k·A_k.
    public static func verify(share: Scalar, index: Int, commitments: [GroupElement]) -> Bool {
        !commitments.isEmpty && GroupElement.base(share) == evaluate(commitments, at: index)
    }

    /// The commitments to the sum of the dealers' polynomials: Σ_i A_{i,k} for each k.
    public static func aggregate(_ dealers: [[GroupElement]]) throws -> [GroupElement] {
        guard let t = dealers.first?.count, t > 0 else { throw GroupError.invalidParameters("no commitments to aggregate") }
        guard dealers.allSatisfy({ $0.count == t }) else { throw GroupError.shapeMismatch("dealers committed to different degrees") }
        return (0..<t).map { k in GroupElement.sum(dealers.lazy.map { $0[k] }) }
    }
}
