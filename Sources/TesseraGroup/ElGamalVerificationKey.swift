/// Holder j's public verification key X_{j,l} = x_{j,l}·G (l = 1…L), computed by anyone from
/// the DKG's aggregated Feldman commitments (`Dealing.verificationKey`). Partial decryptions are
/// checked against it.
public struct ElGamalVerificationKey: Sendable, Hashable {
    public let index: Int
    public let points: [GroupElement]

    public init(index: Int, points: [GroupElement]) throws {
        guard index >= 1, index <= Int(UInt32.max) else { throw GroupError.invalidHolderIndex(index) }
        guard !points.isEmpty else { throw GroupError.invalidParameters("a verification key has at least one component") }
        self.index = index
        self.points = points
    }

    public init<C: Collection>(index: Int, encoded: C, count: Int) throws where C.Element == UInt8 {
        try self.init(index: index, points: [GroupElement](concatenated: encoded, count: count, what: "verification key of holder \(index)"))
    }

    public var count: Int { points.count }
    public var encoded: [UInt8] { points.concatenated }
}
