/// Lists of points and scalars on the wire: n encodings of 32 bytes each, concatenated, with
/// n known from context (never from the bytes, so a list cannot silently grow or shrink).
extension Array where Element == GroupElement {
    /// Decodes exactly `count` elements; an error names `what` and the first invalid index.
    public init<C: Collection>(concatenated bytes: C, count: Int, what: String) throws where C.Element == UInt8 {
        guard bytes.count == 32 * count else {
            throw GroupError.invalidLength(what: "\(what) (\(count) points)", expected: 32 * count, found: bytes.count)
        }
        let all = Array<UInt8>(bytes)
        var out: [GroupElement] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            out.append(try GroupElement(encoded: all[(32 * i)..<(32 * i + 32)], what: what, index: i))
        }
        self = out
    }

    /// The encodings, concatenated.
    public var concatenated: [UInt8] { Framing.concatenate(self) }
}

extension Array where Element == Scalar {
    /// Decodes exactly `count` canonical scalars; an error names `what` and the first bad index.
    public init<C: Collection>(concatenated bytes: C, count: Int, what: String) throws where C.Element == UInt8 {
        guard bytes.count == 32 * count else {
            throw GroupError.invalidLength(what: "\(what) (\(count) scalars)", expected: 32 * count, found: bytes.count)
        }
        let all = Array<UInt8>(bytes)
        var out: [Scalar] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            out.append(try Scalar(canonicalBytes: all[(32 * i)..<(32 * i + 32)], what: what, index: i))
        }
        self = out
    }

    public var concatenated: [UInt8] { Framing.concatenate(self) }
}
