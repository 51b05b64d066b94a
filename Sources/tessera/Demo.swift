import ArgumentParser
import Foundation
import TesseraCrypto
import TesseraMath
import TesseraRandom

/// `tessera demo`: one federated aggregation round in one process, end to end on the real
/// cryptography: a dealer deals a threshold Paillier key; each brand packs its update vector
/// into slots and encrypts it (DJN); the coordinator multiplies the ciphertexts; t brands
/// return partial decryptions with proofs; the coordinator verifies and combines them and
/// unpacks the slot-wise sum, which is checked against the plaintext sum.
/// (Network transport, DP noise and ledgers arrive with the coordinator/participant executables.)
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One threshold-Paillier aggregation round between simulated brands, in process.")

    @Option(help: "Number of participant brands.") var participants = 3
    @Option(help: "Decryption threshold.") var threshold = 2
    @Option(help: "Values per update vector.") var length = 2000
    @Option(help: "Modulus size in bits.") var bits = 2048
    @Option(help: "Seed for the ChaCha20 DRBG (key ceremony and data).") var seed: UInt64 = 1

    func validate() throws {
        guard participants >= 1, threshold >= 1, threshold <= participants else {
            throw ValidationError("need 1 ≤ threshold ≤ participants")
        }
        guard length >= 1 else { throw ValidationError("--length must be positive") }
    }

    func run() async throws {
        let root = Seed(seed)
        var dealerRNG = ChaCha20DRBG(seed: root.derive("dealer"))
        var t = Clock.now()
        let (key, shares) = try ThresholdDealer.deal(bits: bits, threshold: threshold, shareCount: participants, using: &dealerRNG)
        print("key ceremony: \(bits)-bit threshold Paillier key \(key.id), \(threshold) of \(participants), in \(ms(t)) ms")

        let valueBound: Int64 = 1 << 20
        let plan = try BitWidthPlanner.plan(valueBound: valueBound, noise: .none, maxParticipants: participants,
                                            plaintextBits: key.paillier.bits)
        let packer = SlotPacker(plan: plan)
        print("packing: \(plan.slotsPerPlaintext) values of \(plan.slotBits) bits per ciphertext, \(plan.plaintextCount(forLength: length)) ciphertexts per update")

        t = Clock.now()
        let encryptor = PaillierEncryptor(publicKey: key.paillier)
        print("encryption table: \(encryptor.tableBytes / 1_048_576) MiB in \(ms(t)) ms")

        var expected = [Int64](repeating: 0, count: length)
        var submissions: [[Ciphertext]] = []
        t = Clock.now()
        for brand in 1...participants {
            var rng = ChaCha20DRBG(seed: root.derive("brand-\(brand)"))
            let update = (0..<length).map { _ in Int64(rng.uniform(below: UInt64(2 * valueBound + 1))) - valueBound }
            for i in 0..<length { expected[i] += update[i] }
            submissions.append(try packer.pack(update).map { try encryptor.encrypt($0, using: &rng) })
        }
        print("brands: \(participants) updates packed and encrypted in \(ms(t)) ms")

        t = Clock.now()
        var aggregate = submissions[0]
        for submission in submissions.dropFirst() {
            aggregate = try zip(aggregate, submission).map { try key.paillier.add($0, $1) }
        }
        print("coordinator: homomorphic aggregate of \(aggregate.count) ciphertexts in \(ms(t)) ms")

        t = Clock.now()
        var plaintexts: [BigInt] = []
        let holders = Array(shares.prefix(threshold))
        for c in aggregate {
            let partials = try holders.map { share -> PartialDecryption in
                var rng = ChaCha20DRBG(seed: root.derive("holder-\(share.index)-\(c.value.bitWidth)"))
                return try share.partialDecrypt(c, using: &rng)
            }
            plaintexts.append(try key.combine(partials, of: c))
        }
        print("threshold decryption: \(threshold) partial decryptions per ciphertext, proofs verified, combined in \(ms(t)) ms")

        let sums = try packer.unpackSum(plaintexts, length: length, contributions: participants)
        guard sums == expected else {
            print("MISMATCH: decrypted aggregate differs from the plaintext sum")
            throw ExitCode(1)
        }
        print("result: the decrypted aggregate equals the plaintext sum of all \(length) values (first: \(sums.prefix(3).map(String.init).joined(separator: ", ")))")
    }

    func ms(_ start: Double) -> String { String(format: "%.0f", (Clock.now() - start) * 1000) }
}
