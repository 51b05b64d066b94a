/// Packs signed values into plaintexts by a `PackingPlan` and unpacks slot-wise sums.
///
/// Slots are written into and read from one little-endian byte buffer per plaintext, which
/// becomes a single `BigInt` (one import, one export): no big-integer arithmetic per slot.
public struct SlotPacker: Sendable {
    public let plan: PackingPlan

    public init(plan: PackingPlan) { self.plan = plan }

    /// Encodes one participant's (already noised) values: each |v| ≤ valueBound + noiseBound.
    public func pack(_ values: [Int64]) throws -> [BigInt] {
        let bound = plan.offset
        let width = plan.slotBits
        var plaintexts: [BigInt] = []
        plaintexts.reserveCapacity(plan.plaintextCount(forLength: values.count))
        var start = 0
        while start < values.count {
            let end = min(start + plan.slotsPerPlaintext, values.count)
            var bytes = [UInt8](repeating: 0, count: ((end - start) * width + 7) / 8 + 8)
            for i in start..<end {
                let v = values[i]
                guard v >= -bound && v <= bound else {
                    throw PackingError.valueOutOfRange(index: i, value: v, bound: bound)
                }
                Self.write(UInt64(v + bound), at: (i - start) * width, into: &bytes)
            }
            plaintexts.append(BigInt(bigEndian: bytes.reversed()))
            start = end
        }
        return plaintexts
    }

    /// Decodes the slot-wise sums of `contributions` packed vectors of `length` values.
    public func unpackSum(_ plaintexts: [BigInt], length: Int, contributions: Int) throws -> [Int64] {
        guard contributions >= 1, contributions <= plan.maxParticipants else {
            throw PackingError.tooManyContributions(contributions, max: plan.maxParticipants)
        }
        let expected = plan.plaintextCount(forLength: length)
        guard plaintexts.count == expected else {
            throw PackingError.lengthMismatch(expected: expected, actual: plaintexts.count)
        }
        let totalOffset = Int64(contributions) * plan.offset
        let width = plan.slotBits
        var out: [Int64] = []
        out.reserveCapacity(length)
        for (p, plaintext) in plaintexts.enumerated() {
            let slots = min(plan.slotsPerPlaintext, length - p * plan.slotsPerPlaintext)
            guard !plaintext.isNegative, plaintext.bitWidth <= slots * width else {
                throw PackingError.plaintextOutOfRange(index: p)
            }
            let bytes = Array(plaintext.bigEndianBytes().reversed()) + [UInt8](repeating: 0, count: 8)
            for s in 0..<slots {
                let sum = Int64(Self.read(at: s * width, width: width, from: bytes))
                guard sum <= 2 * totalOffset else {
                    throw PackingError.slotOverflow(slot: p * plan.slotsPerPlaintext + s)
                }
                out.append(sum - totalOffset)
            }
        }
        return out
    }

    /// ORs `value` (< 2^62) into little-endian `bytes` starting at bit `offset`.
    static func write(_ value: UInt64, at offset: Int, into bytes: inout [UInt8]) {
        var v = value, byte = offset >> 3, shift = offset & 7
        while v != 0 {
            bytes[byte] |= UInt8(truncatingIfNeeded: v << shift)
            v >>= (8 - shift)
            shift = 0
            byte += 1
        }
    }

    /// The `width`-bit field (width ≤ 62) at bit `offset` of little-endian `bytes`.
    static func read(at offset: Int, width: Int, from bytes: [UInt8]) -> UInt64 {
        var result: UInt64 = 0
        let first = offset >> 3, shift = offset & 7
        for k in 0..<((shift + width + 7) / 8) where first + k < bytes.count {
            let chunk = UInt64(bytes[first + k])
            result |= k == 0 ? chunk >> shift : chunk << (8 * k - shift)
        }
        return result & ((1 << width) - 1)
    }
}
