import TesseraRandom

/// The one hash framing of this module (protocol/README.md §6):
///
///     frame(x) = u32be(|x|) ‖ x
///     H(domain, parts) = BLAKE2b-512(frame(UTF-8(domain)) ‖ frame(part₁) ‖ … ‖ frame(partₙ))
///
/// Every part is length-prefixed, so no two different (domain, parts) lists hash the same
/// input. Points and scalars inside a part are 32-byte encodings, concatenated.
enum Framing {
    static func frame(_ bytes: [UInt8], into out: inout [UInt8]) {
        precondition(bytes.count <= Int(UInt32.max), "a framed part is at most 2^32 − 1 bytes")
        out.append(contentsOf: u32(bytes.count))
        out.append(contentsOf: bytes)
    }

    static func input(domain: String, _ parts: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(4 + domain.utf8.count) { $0 + 4 + $1.count })
        frame(Array(domain.utf8), into: &out)
        for p in parts { frame(p, into: &out) }
        return out
    }

    /// BLAKE2b-512 over the framed input.
    static func hash512(domain: String, _ parts: [[UInt8]]) -> [UInt8] {
        Blake2b.hash(input(domain: domain, parts), outputLength: 64)
    }

    static func u32(_ value: Int) -> [UInt8] {
        precondition(value >= 0 && value <= Int(UInt32.max), "u32 out of range")
        return withUnsafeBytes(of: UInt32(value).bigEndian, Array.init)
    }

    static func concatenate(_ points: [GroupElement]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 * points.count)
        for p in points { p.storage.append(to: &out) }
        return out
    }

    static func concatenate(_ scalars: [Scalar]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 * scalars.count)
        for s in scalars { s.storage.append(to: &out) }
        return out
    }
}
