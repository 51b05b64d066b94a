import Foundation
import TesseraGroup
import TesseraParallel
import TesseraRandom

func bytes(_ hex: String) -> [UInt8] {
    let chars = Array(hex.utf8)
    precondition(chars.count % 2 == 0, "odd hex length")
    func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 32) - 87 }
    return stride(from: 0, to: chars.count, by: 2).map { nibble(chars[$0]) << 4 | nibble(chars[$0 + 1]) }
}

func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

func point(_ hex: String) throws -> GroupElement { try GroupElement(encoded: bytes(hex)) }
func scalar(_ hex: String) throws -> Scalar { try Scalar(canonicalBytes: bytes(hex)) }

let twoThreads = Parallelism(threads: 2)

/// A 3-of-5 federation with L = 8 keys from a real Joint-Feldman run (all five dealers
/// qualified), generated once from a fixed seed so that failures reproduce.
struct Federation: Sendable {
    let threshold = 3
    let holders = 5
    let keys = ElGamalPublicKey.defaultKeyCount
    let publicKey: ElGamalPublicKey
    let shares: [ElGamalKeyShare]
    let verificationKeys: [ElGamalVerificationKey]

    static let shared: Federation = {
        var rng = ChaCha20DRBG(seed: Seed(300))
        let dealings = (1...5).map { _ in try! Dealing.create(threshold: 3, holders: 5, keys: 8, using: &rng) }
        let commitments = dealings.map(\.commitments)
        let shares = (1...5).map { j in try! ElGamalKeyShare(index: j, summing: dealings.map { try! $0.shares(for: j) }) }
        return Federation(publicKey: try! Dealing.publicKey(commitments), shares: shares,
                          verificationKeys: (1...5).map { try! Dealing.verificationKey(index: $0, commitments) })
    }()

    var encryptor: ElGamalEncryptor { ElGamalEncryptor(publicKey: publicKey) }

    /// Partial decryptions of `aggregates` by `holders`, each verified.
    func verifiedPartials(_ aggregates: [GroupElement], holders: [Int], context: [UInt8],
                          rng: inout ChaCha20DRBG) async throws -> [VerifiedElGamalPartial] {
        var out: [VerifiedElGamalPartial] = []
        for j in holders {
            let p = try await shares[j - 1].partialDecrypt(aggregates, context: context, using: &rng)
            out.append(try await verificationKeys[j - 1].verify(p, of: aggregates, context: context))
        }
        return out
    }
}

/// The B = 81, k = 3, μ = 40 table (P = 10 contributions of [0, 8] per digit), built once.
let sharedTable = Task { try await DiscreteLogTable(plan: try DiscreteLogPlan.plan(base: 81, digits: 3, expectedDigit: 40)) }

enum Vectors {
    /// Tests/TesseraGroupTests/Support.swift → three levels up is the repository root.
    static func data() throws -> Data {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("protocol/vectors/elgamal.json")
        return try Data(contentsOf: url)
    }

    static func load() throws -> ElGamalVectors.File {
        try JSONDecoder().decode(ElGamalVectors.File.self, from: data())
    }
}
