/// 32 bytes stored inline (no heap allocation per point or scalar), the size of every
/// ristretto255 encoding and scalar.
struct Bytes32: Sendable, Hashable {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    static let zero = Bytes32(words: (0, 0, 0, 0))

    private init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    /// Exactly 32 bytes, checked by the caller.
    init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 32, "Bytes32 needs 32 bytes")
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &w) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        words = w
    }

    /// Runs a C function that writes 32 bytes, returning them with its return code.
    static func writing(_ body: (UnsafeMutablePointer<UInt8>) -> Int32) -> (Bytes32, Int32) {
        var out = Bytes32.zero
        let rc = withUnsafeMutableBytes(of: &out.words) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return (out, rc)
    }

    func withPointer<T>(_ body: (UnsafePointer<UInt8>) throws -> T) rethrows -> T {
        try withUnsafeBytes(of: words) { raw in
            try body(raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    var bytes: [UInt8] { withUnsafeBytes(of: words) { Array($0) } }

    func append(to out: inout [UInt8]) {
        withUnsafeBytes(of: words) { out.append(contentsOf: $0) }
    }

    var isZero: Bool { (words.0 | words.1 | words.2 | words.3) == 0 }

    /// Without an early exit, for secret scalars.
    static func constantTimeEqual(_ a: Bytes32, _ b: Bytes32) -> Bool {
        ((a.words.0 ^ b.words.0) | (a.words.1 ^ b.words.1) | (a.words.2 ^ b.words.2) | (a.words.3 ^ b.words.3)) == 0
    }

    static func == (a: Bytes32, b: Bytes32) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    func hash(into h: inout Hasher) {
        h.combine(words.0); h.combine(words.1); h.combine(words.2); h.combine(words.3)
    }
}
