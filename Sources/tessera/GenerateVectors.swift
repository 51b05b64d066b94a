import ArgumentParser
import Foundation
import TesseraCrypto
import TesseraData
import TesseraGroup
import TesseraJobs
import TesseraLattice
import TesseraMath
import TesseraRandom

/// `tessera vectors generate`: writes protocol/vectors/{paillier,packing,threshold,segment-profile}.json from
/// a seed, so the files are reproducible byte for byte.
struct GenerateVectors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate",
        abstract: "Regenerate the known-answer vectors (deterministic for a seed).")

    @Option(help: "Output directory.") var out = "protocol/vectors"
    @Option(help: "Seed of the ChaCha20 DRBG.") var seed: UInt64 = 1
    @Option(help: "Modulus size for paillier.json.") var bits = 2048
    @Option(help: "Modulus size for threshold.json.") var thresholdBits = 1024

    func run() async throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let root = Seed(seed)
        try write(paillier(root.derive("paillier")), "paillier.json")
        try write(packing(root.derive("packing")), "packing.json")
        try write(threshold(root.derive("threshold")), "threshold.json")
        try write(segmentProfile(root.derive("segment-profile")), "segment-profile.json")
        try writeData(try ElGamalVectors.encode(try await ElGamalVectors.generate(seed: root.derive("elgamal"))), "elgamal.json")
        try writeData(try RLWEVectors.generate(seed: root.derive("rlwe")).jsonData(), "rlwe.json")
    }

    func writeData(_ data: Data, _ name: String) throws {
        let path = out + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        log("wrote \(path)")
    }

    func write<T: Encodable>(_ value: T, _ name: String) throws {
        let path = out + "/" + name
        try KeyFiles.encode(value).write(to: URL(fileURLWithPath: path))
        log("wrote \(path)")
    }

    func paillier(_ seed: Seed) throws -> TestVectors.Paillier {
        var rng = ChaCha20DRBG(seed: seed)
        let key = try PaillierKeyGeneration.generate(bits: bits, using: &rng)
        let pk = key.publicKey
        let n = pk.n
        var cases: [TestVectors.Paillier.Case] = []
        let messages: [BigInt] = [0, 1, 2, n - 1, n - 2, n >> 1, BigInt(1) << 64,
                                  BigInt.random(below: n, using: &rng), BigInt.random(below: n, using: &rng)]
        for m in messages {
            let r = BigInt.randomUnit(modulus: n, using: &rng)
            cases.append(.init(m: m, r: r, c: try pk.encrypt(m, randomness: r).value, source: "textbook"))
        }
        let encryptor = PaillierEncryptor(publicKey: pk, windowBits: 4)
        for m in [BigInt(0), BigInt(12345), n - 1] {
            let (c, r) = try encryptor.encryptRevealingRandomness(m, using: &rng)
            cases.append(.init(m: m, r: r, c: c.value, source: "djn"))
        }
        let (p, q) = key.primes
        return .init(version: "tessera/vectors/paillier/v1",
                     description: "TEST KEY, never use for data. Paillier with g = n + 1: c = (1 + n)^m · r^n mod n². p, q safe primes; h is the DJN base (−y² mod n). 'djn' cases come from fixed-base DJN encryption, with r = h^x mod n.",
                     key: .init(n: n, p: p, q: q, h: pk.h), cases: cases)
    }

    func packing(_ seed: Seed) throws -> TestVectors.Packing {
        var rng = ChaCha20DRBG(seed: seed)
        let noise = NoiseBound.discreteGaussian(sigma: 64, tailProbability: 0x1p-40)
        let participants = 5
        let plan = try BitWidthPlanner.plan(valueBound: 1000, noise: noise, maxParticipants: participants, plaintextBits: 2048)
        let packer = SlotPacker(plan: plan)
        let length = plan.slotsPerPlaintext + 7  // two plaintexts, the second partly filled
        let bound = plan.offset
        var vectors: [TestVectors.Packing.Vector] = []
        var sums = [Int64](repeating: 0, count: length)
        for i in 0..<participants {
            var values = (0..<length).map { _ in Int64(rng.uniform(below: UInt64(2 * bound + 1))) - bound }
            // Extremes: all participants at +bound in slot 0 and at −bound in slot 1.
            values[0] = bound; values[1] = -bound
            if i == 0 { values[length - 1] = bound }
            for j in 0..<length { sums[j] += values[j] }
            vectors.append(.init(values: values, plaintexts: try packer.pack(values)))
        }
        var plaintextSums = [BigInt](repeating: 0, count: vectors[0].plaintexts.count)
        for v in vectors { for k in v.plaintexts.indices { plaintextSums[k] = plaintextSums[k] + v.plaintexts[k] } }
        guard try packer.unpackSum(plaintextSums, length: length, contributions: participants) == sums else {
            throw ValidationError("packing self-check failed")
        }
        let refusals: [TestVectors.Packing.Refusal] = [
            .init(valueBound: 1 << 40, noiseBound: 1 << 40, maxParticipants: 1 << 22, plaintextBits: 2048,
                  reason: "slot would need more than 62 bits"),
            .init(valueBound: 1 << 30, noiseBound: 0, maxParticipants: 1000, plaintextBits: 32,
                  reason: "plaintext cannot hold one slot"),
        ]
        return .init(version: "tessera/vectors/packing/v1",
                     description: "Offset slot packing: each value v (|v| ≤ offset = valueBound + noiseBound) is stored as v + offset in slotBits bits, slot j at bit j·slotBits, least significant slot first. The sum of N packed plaintexts unpacks to Σv = slot − N·offset.",
                     plan: .init(valueBound: plan.valueBound, noiseBound: plan.noiseBound,
                                 noiseTailProbability: noise.tailProbability, maxParticipants: participants,
                                 plaintextBits: 2048, slotBits: plan.slotBits, slotsPerPlaintext: plan.slotsPerPlaintext,
                                 offset: plan.offset),
                     participants: vectors, sum: .init(values: sums, plaintexts: plaintextSums), refusals: refusals)
    }

    func threshold(_ seed: Seed) throws -> TestVectors.Threshold {
        var rng = ChaCha20DRBG(seed: seed)
        let key = try PaillierKeyGeneration.generate(bits: thresholdBits, using: &rng)
        let (publicKey, shares) = try ThresholdDealer.deal(key: key, threshold: 2, shareCount: 3, using: &rng)
        let n = publicKey.paillier.n
        let m = BigInt.random(below: n, using: &rng)
        let r = BigInt.randomUnit(modulus: n, using: &rng)
        let c = try publicKey.paillier.encrypt(m, randomness: r)
        let partials = try shares.map { try $0.partialDecrypt(c, using: &rng) }
        guard try publicKey.combine(Array(partials.prefix(2)), of: c) == m else { throw ValidationError("threshold self-check failed") }
        let good = partials.map { TestVectors.Threshold.Partial(index: $0.index, value: $0.value,
                                                                challenge: $0.proof.challenge, response: $0.proof.response) }
        var invalid: [TestVectors.Threshold.Partial] = []
        var bad = good[0]; bad.response = bad.response + 1; bad.description = "response altered"
        invalid.append(bad)
        bad = good[1]; bad.value = (bad.value * 2).modulo(publicKey.paillier.nSquared); bad.description = "partial decryption altered, proof kept"
        invalid.append(bad)
        bad = good[2]; bad.index = 1; bad.description = "holder 3's partial decryption claimed by holder 1"
        invalid.append(bad)
        let (p, q) = key.primes
        return .init(version: "tessera/vectors/threshold-paillier/v1",
                     description: "TEST KEY, never use for data. Damgård–Jurik threshold Paillier (s = 1), 2 of 3, Δ = 3!. Partial decryption c_i = c^(2Δs_i) mod n²; proof (challenge e, response z) that log_{c⁴}(c_i²) = log_v(v_i), see protocol/README.md for the hash input.",
                     key: .init(keyID: publicKey.id.description, n: n, h: publicKey.paillier.h, p: p, q: q,
                                threshold: 2, shareCount: 3, verificationBase: publicKey.verificationBase,
                                verificationKeys: publicKey.verificationKeys),
                     shares: shares.map { .init(index: $0.index, secret: $0.secretForStorage) },
                     m: m, r: r, c: c.value, partials: good, invalidPartials: invalid)
    }

    /// Seven customers chosen to exercise the encoding: a capped and apportioned order count,
    /// spend over maxSpend, a tier boundary, every churn colour, a region tie, and customers
    /// outside the listed stages and tiers (who contribute nothing).
    func segmentProfile(_ seed: Seed) throws -> TestVectors.SegmentProfile {
        let parameters = #"""
            {"stages": ["grow", "mature"], "tiers": ["low", "top"], "regions": ["north", "south"], "maxOrders": 6,
             "orderCaps": {"grow": {"low": 2}}, "maxSpend": 1000, "spendUnit": 10,
             "weights": {"customers": 5, "orders": 3, "spend": 1, "histogram": 2, "churn": 4}}
            """#
        let computation = try JobComputation(kind: "segment-profile", parameters: parameters)
        guard case .segmentProfile(let spec) = computation else { throw ValidationError("not a profile") }
        let asOf = spec.features.asOf, day: Int64 = 86_400
        var rows: [OrderRecord] = []
        var n = 0
        func order(_ customer: String, daysAgo: Int64, cents: Int64, _ category: String, _ region: String) {
            n += 1
            rows.append(OrderRecord(customerID: customer, orderID: "o\(n)", timestamp: asOf - daysAgo * day - 3_600, amountCents: cents,
                                    currency: "EUR", category: category, region: region, channel: "web"))
        }
        // grow (tenure 31–180), low, north, green: 3 orders capped to 2 (quotas 1.33, 0.67 → 1 + 1).
        order("c1", daysAgo: 100, cents: 2_500, "apparel", "north"); order("c1", daysAgo: 50, cents: 2_500, "apparel", "north")
        order("c1", daysAgo: 10, cents: 2_500, "toys", "north")
        // mature, top, south, yellow: 8 orders over 3 categories capped to 6; 1,234.56 capped to 1,000.
        for (k, c) in ["home", "home", "home", "home", "sports", "sports", "sports", "beauty"].enumerated() {
            order("c2", daysAgo: 400 - Int64(k) * 40, cents: k == 0 ? 123_456 - 7 * 1_000 : 1_000, c, "south")
        }
        // mature (tenure 300 days), low, north, red (last order 200 days ago).
        order("c3", daysAgo: 300, cents: 4_000, "grocery", "north"); order("c3", daysAgo: 200, cents: 1_999, "grocery", "north")
        // explore (tenure ≤ 30): not a listed stage.
        order("c4", daysAgo: 20, cents: 9_000, "toys", "north")
        // mid tier (spend 150): not a listed tier.
        order("c5", daysAgo: 120, cents: 15_000, "home", "south")
        // region tie (one order each): the earlier region in the taxonomy wins (north).
        order("c6", daysAgo: 150, cents: 3_000, "beauty", "south"); order("c6", daysAgo: 60, cents: 3_000, "beauty", "north")
        // spend 99.99 stays in the low tier and rounds to 10 units of 10.
        order("c7", daysAgo: 90, cents: 9_999, "electronics", "south")
        var table = CustomerTable(through: asOf)
        for r in rows { table.add(r) }
        let local = try TesseraData.SegmentProfile.localVector(FeatureDerivation(table: table, options: spec.features), spec: spec)
        var rng = ChaCha20DRBG(seed: seed)
        let noise = (0..<spec.length).map { _ in Int64(rng.uniform(below: 41)) - 20 }
        let sums = zip(local, noise).map { $0 + $1 }
        let decoded = try TesseraData.SegmentProfile.decode(sums: sums, spec: spec, noiseStandardDeviation: 10, minimumCustomers: 0)
        return .init(version: "tessera/vectors/segment-profile/v1",
                     description: "Segment-profile encoding (protocol/README §7): the orders, as a brand's orders.csv, give localVector under parameters at asOf; perCustomerL2Squared is the job's per-customer bound. decode: sums = localVector + noise, decoded with σ = noiseStandardDeviation (weights divided out, each cell projected onto customers = Σ churn and orders = Σ histogram by weighted least squares, 95% error bars); compare doubles to 1e-9 relative.",
                     parameters: computation.canonicalParameters, asOf: asOf, orders: [OrderRecord.header] + rows.map(\.csvLine),
                     perCustomerL2Squared: spec.perCustomerL2Squared, labels: spec.labels, localVector: local,
                     decode: .init(noise: noise, sums: sums, noiseStandardDeviation: 10, minimumCustomers: 0, table: decoded))
    }
}
