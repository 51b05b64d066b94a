import Foundation
import TesseraCoordinator
import TesseraCrypto
import TesseraData
import TesseraGroup
import TesseraKeys
import TesseraProtocol
import TesseraRandom
import TesseraSchemes

/// Valid inputs for the targets whose seeds are made by the product's own code rather than
/// copied from files: `TESSERA_FUZZ_WRITE_SEEDS=DIR` makes the fuzz driver write them (one file
/// per seed, named) into DIR, which is how `Fuzz/corpus/TARGET/` was filled for these targets.
/// Signed inputs are signed with the committed TEST federation's keys (its secrets are public).
public enum FuzzSeeds {
    public static func seeds(for target: String) async throws -> [(name: String, bytes: Data)] {
        switch target {
        case "masked-update": return try await maskedUpdates()
        case "key-layer-proof": return try keyLayerBodies()
        case "enrollment": return try enrollmentFiles()
        case "sqlite-rows": return try orderRows()
        case "api-body": return try apiBodies()
        default: return []
        }
    }

    static func signingKey(_ id: String, directory: String = "participants") throws -> SigningKey {
        let path = FuzzTargets.keysDirectory + "/\(directory)/\(id)/signing.key"
        return try NodeKeyFiles.signingKey(try NodeKeyFiles.text(try FileBytes.read(path), path: path), path: path)
    }

    /// brand-a's submissions for round 1 of the one-shot job, as `Scheme.submit` makes them.
    static func maskedUpdates() async throws -> [(name: String, bytes: Data)] {
        let job = FuzzTargets.oneShotJob
        let outbox = Outbox(federation: job.context.federation.name, sender: job.sender, key: try signingKey(job.sender), nextSequence: { 1 })
        let length = Int(job.spec.vectorLength), bound = job.spec.valueBound
        let updates: [(String, [Int64])] = [
            ("zeros", Array(repeating: 0, count: length)),
            ("counting", (0..<length).map { Int64($0) }),
            ("bounds", (0..<length).map { $0 % 2 == 0 ? bound : -bound }),
        ]
        var seeds: [(name: String, bytes: Data)] = []
        for (i, (name, update)) in updates.enumerated() {
            let submission = try await job.scheme.submit(update, context: job.context, signer: outbox,
                                                         randomness: .seeded(Seed(UInt64(i + 1)).derive("tessera/fuzz/masked-update")))
            try await job.scheme.check(submission, from: job.sender, context: job.context)  // a seed must pass
            seeds.append(("brand-a-\(name)", try submission.serializedData()))
        }
        return seeds
    }

    /// The vectors' key layers (as Body.key_layer, round = submission index) and partial
    /// decryptions (Body.partial_decryptions), with the invalid proofs the vectors list.
    static func keyLayerBodies() throws -> [(name: String, bytes: Data)] {
        let file = FuzzTargets.elgamal.file
        func bytes(_ hex: String) -> Data { Data([UInt8](hex: hex)!) }
        func body(round: Int, _ payload: Tessera_V1_Body.OneOf_Payload) throws -> Data {
            try Tessera_V1_Body.with { $0.federation = "vectors"; $0.sender = "vectors"; $0.round = UInt32(round); $0.payload = payload }.serializedData()
        }
        func layer(_ ciphertexts: [ElGamalVectors.Ciphertext], _ proof: ElGamalVectors.Proof) -> Tessera_V1_KeyLayerSubmission {
            .with {
                $0.maskedHash = Data(Blake2b.hash(Array("fuzz".utf8), outputLength: 32))
                $0.randomness = Data(ciphertexts.flatMap { [UInt8](hex: $0.c1)! })
                $0.values = Data(ciphertexts.flatMap { $0.c2.flatMap { [UInt8](hex: $0)! } })
                $0.proofChallenge = bytes(proof.challenge)
                $0.proofResponses = Data(proof.responses.flatMap { [UInt8](hex: $0)! })
            }
        }
        func partials(index: Int, shares: [[String]], proof: ElGamalVectors.Proof) -> Tessera_V1_PartialDecryptions {
            .with {
                $0.holderIndex = UInt32(index)
                $0.shares = Data(shares.flatMap { $0.flatMap { [UInt8](hex: $0)! } })
                $0.proofChallenge = bytes(proof.challenge)
                $0.proofResponses = Data(proof.responses.flatMap { [UInt8](hex: $0)! })
            }
        }
        var seeds: [(name: String, bytes: Data)] = []
        for (i, s) in file.submissions.enumerated() {
            seeds.append(("key-layer-\(s.sender)", try body(round: i, .keyLayer(layer(s.ciphertexts, s.proof)))))
        }
        for p in file.partials {
            seeds.append(("partials-holder-\(p.index)", try body(round: 0, .partialDecryptions(partials(index: p.index, shares: p.shares, proof: p.proof)))))
        }
        for (i, bad) in file.invalid.randomnessProofs.enumerated() {
            seeds.append(("invalid-key-layer-\(i + 1)", try body(round: 0, .keyLayer(layer(bad.ciphertexts, bad.proof)))))
        }
        for (i, bad) in file.invalid.partials.enumerated() {
            seeds.append(("invalid-partials-\(i + 1)", try body(round: 0, .partialDecryptions(partials(index: bad.index, shares: bad.shares, proof: bad.proof)))))
        }
        return seeds
    }

    /// Requests of every role as `tessera keys request` makes them, the TEST federation's key
    /// files of brand-a, and the threshold Paillier public key file of the TEST dealing.
    static func enrollmentFiles() throws -> [(name: String, bytes: Data)] {
        var rng = ChaCha20DRBG(seed: Seed(bytes: Blake2b.hash(Array("tessera/fuzz/enrollment/v1".utf8), outputLength: 32)))
        let requests: [(String, NodeRole, [String], [String], String?)] = [
            ("brand-d", .participant, [], [], nil),
            ("coordinator", .coordinator, ["localhost"], ["127.0.0.1", "::1"], nil),
            ("dealer", .dealer, [], [], nil),
            ("steward-brand-d", .steward, [], [], "brand-d"),
        ]
        var seeds: [(name: String, bytes: Data)] = []
        for (id, role, dns, ip, organisation) in requests {
            let (request, _) = try EnrollmentRequest.generate(federation: "test", id: id, role: role, dnsNames: dns, ipAddresses: ip,
                                                              organisation: organisation, using: &rng)
            _ = try request.verify(path: "request.json")
            seeds.append(("request-\(role.rawValue)", try KeyFiles.encode(request)))
        }
        let directory = FuzzTargets.keysDirectory + "/participants/brand-a/"
        for (name, file) in [("signing-key", "signing.key"), ("sealing-key", "sealing.key"), ("tls-key", "key.pem")] {
            seeds.append((name, try FileBytes.read(directory + file)))
        }
        if let key = FuzzTargets.federation.thresholdKey {
            seeds.append(("threshold-public-key", try KeyFiles.encode(ThresholdKeyFile(key))))
        }
        return seeds
    }

    /// Rows in the target's cell encoding: synthetic orders stored as TEXT, then with the
    /// amount as INTEGER and as REAL and the identifiers as INTEGER, and rows to skip.
    static func orderRows() throws -> [(name: String, bytes: Data)] {
        var records: [OrderRecord] = []
        try SyntheticBrands(brands: 1, customersPerBrand: 3, seed: 7).generate(brand: 0) { records.append($0) }
        func text(_ s: String) -> [UInt8] { [4, UInt8(s.utf8.count)] + Array(s.utf8) }
        func integer(_ v: Int64) -> [UInt8] { [2] + withUnsafeBytes(of: v.littleEndian, Array.init) }
        func real(_ v: Double) -> [UInt8] { [3] + withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) }
        func fields(_ r: OrderRecord) -> [String] { r.csvLine.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let sample = Array(records.prefix(4))
        var seeds: [(name: String, bytes: Data)] = []
        seeds.append(("text-rows", Data(sample.flatMap { fields($0).flatMap(text) })))
        seeds.append(("integer-amount", Data(sample.flatMap { r -> [UInt8] in
            let f = fields(r)
            return f[0..<3].flatMap(text) + integer(r.amountCents / 100) + f[4...].flatMap(text)
        })))
        seeds.append(("real-amount", Data(sample.flatMap { r -> [UInt8] in
            let f = fields(r)
            return f[0..<3].flatMap(text) + real(Double(r.amountCents) / 100) + f[4...].flatMap(text)
        })))
        seeds.append(("integer-ids", Data(sample.enumerated().flatMap { i, r -> [UInt8] in
            let f = fields(r)
            return integer(Int64(1000 + i)) + integer(Int64(5000 + i)) + f[2...].flatMap(text)
        })))
        let f = fields(sample[0])
        var skipped: [UInt8] = [0]  // a NULL customer and a BLOB currency: a row to skip, then a valid one
        skipped += f[1..<4].flatMap(text)
        skipped += [5, 3, 0x45, 0x55, 0x52]
        skipped += f[5...].flatMap(text)
        skipped += f.flatMap(text)
        seeds.append(("null-and-blob", Data(skipped)))
        return seeds
    }

    /// Job API bodies: job files for both schemes as a client posts them, and a steward's
    /// decision signed by steward-brand-a.
    static func apiBodies() throws -> [(name: String, bytes: Data)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let jobs: [(String, JobDefinition)] = [
            ("job-one-shot", JobDefinition(id: "api-one-shot", vectorLength: 16, valueBound: 1000, minParticipants: 2)),
            ("job-paillier", JobDefinition(id: "api-paillier", scheme: "paillier", vectorLength: 8, valueBound: 100, rounds: 2,
                                           participants: ["brand-a", "brand-b"], minParticipants: 2)),
            ("job-noise", JobDefinition(id: "api-noise", vectorLength: 4, valueBound: 50, minParticipants: 3,
                                        privacy: .init(variance: "100", l2Bound: 100, delta: 1e-6))),
        ]
        var seeds: [(name: String, bytes: Data)] = try jobs.map { ($0.0, try encoder.encode($0.1)) }
        let steward = Outbox(federation: FuzzTargets.federation.name, sender: "steward-brand-a",
                             key: try signingKey("steward-brand-a", directory: "principals"), nextSequence: { 0 })
        let envelope = try steward.seal(job: "fuzz", round: 0, .stewardDecision(.with { $0.brand = "brand-a"; $0.approve = true; $0.reason = "approved by the steward" }))
        seeds.append(("steward-decision", try encoder.encode(["envelope": envelope.base64EncodedString()])))
        return seeds
    }
}
