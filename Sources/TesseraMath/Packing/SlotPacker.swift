/// Packs signed values into plaintexts by a `PackingPlan` and unpacks slot-wise sums.
public struct SlotPacker: Sendable {
    public let plan: PackingPlan

    public init(plan: PackingPlan) { self.plan = plan }

    /// Encodes one participant's (already noised) values: each |v| ≤ valueBound + noiseBound.
    public func pack(_ values: [Int64]) throws -> [BigInt] {
        let bound = plan.offset
        var plaintexts: [BigInt] = []
        plaintexts.reserveCapacity(plan.plaintextCount(forLength: values.count))
        var start = 0
        while start < values.count {
            let end = min(start + plan.slotsPerPlaintext, values.count)
            // Most significant slot first, so each step is a shift and an add.
            var acc = BigInt(0)
            for i in stride(from: end - 1, through: start, by: -1) {
                let v = values[i]
                guard v >= -bound && v <= bound else {
                    throw PackingError.valueOutOfRange(index: i, value: v, bound: bound)
                }
                acc = (acc << plan.slotBits) + BigInt(Int(v + bound))
            }
            plaintexts.append(acc)
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
        var out: [Int64] = []
        out.reserveCapacity(length)
        for (p, plaintext) in plaintexts.enumerated() {
            let slots = min(plan.slotsPerPlaintext, length - p * plan.slotsPerPlaintext)
            guard !plaintext.isNegative, plaintext.bitWidth <= slots * plan.slotBits else {
                throw PackingError.plaintextOutOfRange(index: p)
            }
            var rest = plaintext
            for s in 0..<slots {
                let slot = rest.lowBits(plan.slotBits)
                rest = rest >> plan.slotBits
                guard let sum = slot.intValue, Int64(sum) <= 2 * totalOffset else {
                    throw PackingError.slotOverflow(slot: p * plan.slotsPerPlaintext + s)
                }
                out.append(Int64(sum) - totalOffset)
            }
        }
        return out
    }
}
