/// Signed fixed-point numbers: a real x is carried as the integer round(x · scale).
/// Rounding here is deterministic (to nearest, ties to even) and meant for public
/// parameters and decoding; updates that get DP noise use unbiased randomized rounding
/// (TesseraPrivacy) so that rounding adds no bias to the released sum.
public struct FixedPoint: Sendable, Hashable, Codable {
    public let scale: Int64

    public init(scale: Int64) {
        precondition(scale > 0, "scale must be positive")
        self.scale = scale
    }

    public enum Error: Swift.Error, CustomStringConvertible {
        case notFinite(Double)
        case outOfRange(Double, bound: Int64)
        public var description: String {
            switch self {
            case .notFinite(let x): return "fixed point: \(x) is not a finite number"
            case .outOfRange(let x, let b): return "fixed point: \(x) scales outside ±\(b)"
            }
        }
    }

    /// round(x · scale), refused if |result| > bound.
    public func encode(_ x: Double, bound: Int64 = Int64.max / 2) throws -> Int64 {
        guard x.isFinite else { throw Error.notFinite(x) }
        let scaled = (x * Double(scale)).rounded(.toNearestOrEven)
        guard scaled.magnitude <= Double(bound) else { throw Error.outOfRange(x, bound: bound) }
        return Int64(scaled)
    }

    public func decode(_ v: Int64) -> Double { Double(v) / Double(scale) }
}
