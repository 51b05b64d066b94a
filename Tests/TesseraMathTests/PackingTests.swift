import Foundation
import Testing
import TesseraMath
import TesseraRandom

@Suite struct PackingTests {
    @Test func plannerChoosesTheSmallestSafeSlot() throws {
        // offset = 1000 + 0, N = 5: max sum 2·5·1000 = 10000 < 2^14.
        let plan = try BitWidthPlanner.plan(valueBound: 1000, noise: .none, maxParticipants: 5, plaintextBits: 2048)
        #expect(plan.slotBits == 14)
        #expect(plan.slotsPerPlaintext == 2047 / 14)
        // Exactly at a power of two: 2·N·offset = 2^14 needs 15 bits.
        let edge = try BitWidthPlanner.plan(valueBound: 1024, noise: .none, maxParticipants: 8, plaintextBits: 2048)
        #expect(edge.slotBits == 15)
        #expect(Int64(1) << edge.slotBits > 2 * 8 * 1024)
    }

    @Test func plannerAccountsForNoise() throws {
        let noise = NoiseBound.discreteGaussian(sigma: 100, tailProbability: 1e-12)
        // σ·√(2 ln(2/τ)) = 100 · √(2 · 28.33) ≈ 752.8 → 754 with the rounding margin.
        #expect(noise.value == 754)
        let plan = try BitWidthPlanner.plan(valueBound: 1000, noise: noise, maxParticipants: 10, plaintextBits: 2048)
        #expect(plan.offset == 1754)
        #expect(plan.slotCapacity >= 2 * 10 * 1754)
    }

    @Test func plannerRefusesOverflowingConfigurations() {
        #expect(throws: PackingError.slotTooWide(bits: 64)) {
            try BitWidthPlanner.plan(valueBound: 1 << 40, noise: NoiseBound(value: 1 << 40, tailProbability: 0), maxParticipants: 1 << 22, plaintextBits: 2048)
        }
        #expect(throws: PackingError.self) {
            try BitWidthPlanner.plan(valueBound: 1 << 50, noise: .none, maxParticipants: 1 << 12, plaintextBits: 2048)
        }
        #expect(throws: PackingError.plaintextTooSmall(plaintextBits: 32, slotBits: 41)) {
            try BitWidthPlanner.plan(valueBound: 1 << 30, noise: .none, maxParticipants: 1000, plaintextBits: 32)
        }
        #expect(throws: PackingError.self) { try BitWidthPlanner.plan(valueBound: 0, noise: .none, maxParticipants: 1, plaintextBits: 2048) }
    }

    @Test func sumOfMaximalParticipantsAtTheBoundsDecodes() throws {
        let n = 50
        let plan = try BitWidthPlanner.plan(valueBound: 5000, noise: NoiseBound(value: 300, tailProbability: 1e-9),
                                            maxParticipants: n, plaintextBits: 1024)
        let packer = SlotPacker(plan: plan)
        let bound = plan.offset
        let length = plan.slotsPerPlaintext * 2 + 3
        var rng = ChaCha20DRBG(seed: Seed(3))
        var sums = [Int64](repeating: 0, count: length)
        var packedSums = [BigInt](repeating: 0, count: plan.plaintextCount(forLength: length))
        for i in 0..<n {
            var v = (0..<length).map { _ in Int64(rng.uniform(below: UInt64(2 * bound + 1))) - bound }
            v[0] = bound; v[1] = -bound; v[length - 1] = i % 2 == 0 ? bound : -bound
            for j in 0..<length { sums[j] += v[j] }
            for (k, p) in try packer.pack(v).enumerated() {
                #expect(p.bitWidth <= plan.slotsPerPlaintext * plan.slotBits)
                packedSums[k] = packedSums[k] + p
            }
        }
        let decoded = try packer.unpackSum(packedSums, length: length, contributions: n)
        #expect(decoded == sums)
        #expect(decoded[0] == Int64(n) * bound && decoded[1] == -Int64(n) * bound)
    }

    @Test func outOfRangeInputIsRefusedByName() throws {
        let plan = try BitWidthPlanner.plan(valueBound: 100, noise: .none, maxParticipants: 3, plaintextBits: 512)
        let packer = SlotPacker(plan: plan)
        #expect(throws: PackingError.valueOutOfRange(index: 1, value: 101, bound: 100)) { try packer.pack([0, 101]) }
        #expect(throws: PackingError.valueOutOfRange(index: 0, value: -101, bound: 100)) { try packer.pack([-101]) }
        let p = try packer.pack([100, -100])
        #expect(throws: PackingError.tooManyContributions(4, max: 3)) { try packer.unpackSum(p, length: 2, contributions: 4) }
        #expect(throws: PackingError.lengthMismatch(expected: 1, actual: 2)) { try packer.unpackSum(p + p, length: 2, contributions: 1) }
        // A slot holding more than 2·contributions·offset (an out-of-bounds contribution) is caught.
        let forged = [BigInt(2 * 100 + 1)]
        #expect(throws: PackingError.slotOverflow(slot: 0)) { try packer.unpackSum(forged, length: 1, contributions: 1) }
        #expect(throws: PackingError.plaintextOutOfRange(index: 0)) { try packer.unpackSum([BigInt(-1)], length: 1, contributions: 1) }
    }

    @Test func knownAnswerVectors() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("protocol/vectors/packing.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let p = try #require(json["plan"] as? [String: Any])
        func int(_ d: [String: Any], _ k: String) -> Int64 { (d[k] as! NSNumber).int64Value }
        let plan = try BitWidthPlanner.plan(valueBound: int(p, "valueBound"),
                                            noise: NoiseBound(value: int(p, "noiseBound"), tailProbability: 0),
                                            maxParticipants: Int(int(p, "maxParticipants")), plaintextBits: Int(int(p, "plaintextBits")))
        #expect(Int64(plan.slotBits) == int(p, "slotBits"))
        #expect(Int64(plan.slotsPerPlaintext) == int(p, "slotsPerPlaintext"))
        let packer = SlotPacker(plan: plan)
        let participants = try #require(json["participants"] as? [[String: Any]])
        for v in participants {
            let values = (v["values"] as! [NSNumber]).map(\.int64Value)
            let plaintexts = (v["plaintexts"] as! [String]).map { BigInt(hex: $0)! }
            #expect(try packer.pack(values) == plaintexts)
        }
        let sum = try #require(json["sum"] as? [String: Any])
        let sumValues = (sum["values"] as! [NSNumber]).map(\.int64Value)
        let sumPlaintexts = (sum["plaintexts"] as! [String]).map { BigInt(hex: $0)! }
        #expect(try packer.unpackSum(sumPlaintexts, length: sumValues.count, contributions: participants.count) == sumValues)
        for refusal in try #require(json["refusals"] as? [[String: Any]]) {
            #expect(throws: PackingError.self) {
                try BitWidthPlanner.plan(valueBound: int(refusal, "valueBound"),
                                         noise: NoiseBound(value: int(refusal, "noiseBound"), tailProbability: 0),
                                         maxParticipants: Int(int(refusal, "maxParticipants")),
                                         plaintextBits: Int(int(refusal, "plaintextBits")))
            }
        }
    }

    @Test func fixedPointRoundsToNearestAndRefusesNonFinite() throws {
        let fp = FixedPoint(scale: 1000)
        #expect(try fp.encode(1.2344) == 1234)
        let half = FixedPoint(scale: 2)           // exact binary ties
        #expect(try half.encode(0.25) == 0)       // 0.5 ties to even
        #expect(try half.encode(0.75) == 2)       // 1.5 ties to even
        #expect(try half.encode(-0.75) == -2)
        #expect(fp.decode(2500) == 2.5)
        #expect(throws: FixedPoint.Error.self) { try fp.encode(.nan) }
        #expect(throws: FixedPoint.Error.self) { try fp.encode(5, bound: 4999) }
    }
}
