import ArgumentParser
import CReference
import Foundation
@_spi(Benchmark) import TesseraCrypto
import TesseraMath
import TesseraRandom

/// `tessera bench paillier`: Paillier throughput on one core, each figure next to a plain C
/// GMP reference measured in the same run (textbook encryption with one mpz_powm, textbook
/// decryption without CRT), so that the ratios mean something on a noisy machine.
struct BenchPaillier: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "paillier",
        abstract: "Paillier encryption, decryption, addition and partial decryption rates on one core.")

    @Option(help: "Modulus size: 2048 or 3072.") var bits: Int = 2048
    @Option(help: "Seconds to spend on each measurement.") var seconds: Double = 2
    @Option(help: "Fixed-base window in bits for DJN encryption.") var window: Int = 8
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard bits == 2048 || bits == 3072 else { throw ValidationError("--bits must be 2048 or 3072") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
    }

    func run() async throws {
        var rng = SystemRandom()
        var t0 = Clock.now()
        let (thresholdKey, shares) = try ThresholdDealer.deal(bits: bits, threshold: 2, shareCount: 3, using: &rng)
        let keygenSeconds = Clock.now() - t0
        log("generated a \(bits)-bit threshold key (safe primes) in \(String(format: "%.1f", keygenSeconds)) s")
        // A plain private key with the same size for CRT decryption.
        let privateKey = try PaillierKeyGeneration.generate(bits: bits, using: &rng)
        let pk = privateKey.publicKey
        let n = pk.n

        t0 = Clock.now()
        let encryptor = PaillierEncryptor(publicKey: pk, windowBits: window)
        let tableSeconds = Clock.now() - t0
        let ctEncryptor = PaillierEncryptor(publicKey: pk, windowBits: 4, lookup: .constantTime)

        let m = BigInt.random(below: n, using: &rng)
        let r = BigInt.randomUnit(modulus: n, using: &rng)
        var results: [String: Double] = [:]

        log("measuring DJN fixed-base encryption against naive C encryption (one mpz_powm), interleaved…")
        let refBatch = 4
        let (refEnc, enc) = try Clock.interleaved(seconds: seconds * 2, referenceBatch: refBatch, candidateBatch: 4 * refBatch,
            reference: { _ = tessera_ref_naive_encrypt(n.hex, m.hex, r.hex, Int32(refBatch)) },
            candidate: { for _ in 0..<(4 * refBatch) { _ = try encryptor.encrypt(m, using: &rng) } })
        results["reference_naive_encrypt_per_s"] = refEnc
        results["encrypt_per_s"] = enc
        results["encrypt_constant_time_table_per_s"] = try Clock.rate(seconds: seconds) { _ = try ctEncryptor.encrypt(m, using: &rng) }

        // Packed values: a realistic plan (|v| ≤ 2^20 after clipping/scaling, σ = 2^12 noise
        // at tail 2^−40, up to 1000 participants).
        let plan = try BitWidthPlanner.plan(valueBound: 1 << 20,
                                            noise: .discreteGaussian(sigma: 4096, tailProbability: 0x1p-40),
                                            maxParticipants: 1000, plaintextBits: n.bitWidth)
        let packer = SlotPacker(plan: plan)
        let vectorLength = plan.slotsPerPlaintext * 8
        let values = (0..<vectorLength).map { _ in Int64(rng.uniform(below: 1 << 21)) - (1 << 20) }
        results["packed_values_per_s"] = try Clock.rate(seconds: seconds, batch: vectorLength) {
            for plaintext in try packer.pack(values) { _ = try encryptor.encrypt(plaintext, using: &rng) }
        }

        let c = try encryptor.encrypt(m, using: &rng)
        let (lambda, mu) = privateKey.textbookLambdaMu
        log("measuring CRT decryption against naive C decryption, interleaved…")
        let (refDec, dec) = try Clock.interleaved(seconds: seconds * 2, referenceBatch: refBatch, candidateBatch: 3 * refBatch,
            reference: { _ = tessera_ref_naive_decrypt(n.hex, lambda.hex, mu.hex, c.value.hex, Int32(refBatch)) },
            candidate: { for _ in 0..<(3 * refBatch) { _ = try privateKey.decrypt(c) } })
        results["reference_naive_decrypt_per_s"] = refDec
        results["decrypt_per_s"] = dec
        results["decrypt_variable_time_per_s"] = try Clock.rate(seconds: seconds) { _ = try privateKey.decryptVariableTimeForBenchmark(c) }
        guard try privateKey.decrypt(c) == m else { throw ValidationError("decryption mismatch during benchmark") }

        let c2 = try encryptor.encrypt(BigInt(7), using: &rng)
        let addBatch = 1000
        results["add_per_s"] = try Clock.rate(seconds: seconds, batch: addBatch) {
            var acc = c
            for _ in 0..<addBatch { acc = try pk.add(acc, c2) }
        }

        log("measuring threshold partial decryption…")
        let tm = m.modulo(thresholdKey.paillier.n)
        let tc = try PaillierEncryptor(publicKey: thresholdKey.paillier, windowBits: 4).encrypt(tm, using: &rng)
        results["partial_decrypt_per_s"] = try Clock.rate(seconds: seconds) { _ = try shares[0].partialDecrypt(tc, using: &rng) }
        let partials = try shares.prefix(2).map { try $0.partialDecrypt(tc, using: &rng) }
        results["verify_partial_per_s"] = try Clock.rate(seconds: seconds) { try thresholdKey.verify(partials[0], of: tc) }
        results["combine_2_of_3_per_s"] = try Clock.rate(seconds: seconds) { _ = try thresholdKey.combine(partials, of: tc) }
        guard try thresholdKey.combine(partials, of: tc) == tm else { throw ValidationError("threshold decryption mismatch") }
        // Batched: one proof for a vector of ciphertexts (what the protocol sends).
        let batchSize = 16
        let batchCts = try (0..<batchSize).map { _ in try PaillierEncryptor(publicKey: thresholdKey.paillier, windowBits: 4).encrypt(tm, using: &rng) }
        results["batch_partial_decrypt_per_ciphertext_per_s"] = try Clock.rate(seconds: seconds, batch: batchSize) {
            _ = try shares[0].partialDecrypt(batchCts, using: &rng)
        }
        let batch = try shares[0].partialDecrypt(batchCts, using: &rng)
        results["batch_verify_per_ciphertext_per_s"] = try Clock.rate(seconds: seconds, batch: batchSize) {
            _ = try thresholdKey.verify(batch, of: batchCts)
        }

        let encryptRatio = results["encrypt_per_s"]! / results["reference_naive_encrypt_per_s"]!
        let ctRatio = results["encrypt_constant_time_table_per_s"]! / results["reference_naive_encrypt_per_s"]!
        let decryptRatio = results["decrypt_per_s"]! / results["reference_naive_decrypt_per_s"]!
        let decryptVTRatio = results["decrypt_variable_time_per_s"]! / results["reference_naive_decrypt_per_s"]!
        let report: [String: Any] = [
            "bits": bits, "window_bits": window, "seconds_per_measurement": seconds,
            "keygen_threshold_seconds": keygenSeconds, "table_precompute_seconds": tableSeconds,
            "table_mebibytes": Double(encryptor.tableBytes) / 1_048_576,
            "slots_per_ciphertext": plan.slotsPerPlaintext, "slot_bits": plan.slotBits,
            "rates": results,
            "ratios": ["encrypt_vs_naive": encryptRatio, "encrypt_constant_time_vs_naive": ctRatio,
                       "decrypt_crt_vs_naive": decryptRatio,
                       "decrypt_crt_variable_time_vs_naive": decryptVTRatio],
            "targets_2048": ["encrypt_vs_naive": 6.0, "decrypt_crt_vs_naive": 3.5, "packed_values_per_s": 25000.0],
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        func f(_ x: Double) -> String { String(format: "%10.1f", x) }
        print("Paillier, \(bits)-bit n, one core (ops/s; ratios against plain C GMP in the same run)")
        print("  keygen (threshold, safe primes)   \(String(format: "%.1f", keygenSeconds)) s; fixed-base table \(String(format: "%.2f", tableSeconds)) s, \(encryptor.tableBytes / 1_048_576) MiB (w = \(window))")
        print("  naive C encryption (reference)    \(f(results["reference_naive_encrypt_per_s"]!))")
        print("  DJN fixed-base encryption         \(f(results["encrypt_per_s"]!))   ×\(String(format: "%.2f", encryptRatio)) (target ×6)")
        print("  … constant-time table (w = 4)     \(f(results["encrypt_constant_time_table_per_s"]!))   ×\(String(format: "%.2f", ctRatio))")
        print("  packed values encrypted           \(f(results["packed_values_per_s"]!))   (\(plan.slotsPerPlaintext) slots of \(plan.slotBits) bits; target 25000)")
        print("  naive C decryption (reference)    \(f(results["reference_naive_decrypt_per_s"]!))")
        print("  CRT decryption (mpz_powm_sec)     \(f(results["decrypt_per_s"]!))   ×\(String(format: "%.2f", decryptRatio)) (target ×3.5)")
        print("  … with variable-time mpz_powm     \(f(results["decrypt_variable_time_per_s"]!))   ×\(String(format: "%.2f", decryptVTRatio)) (not used: leaks p − 1 by timing)")
        print("  homomorphic additions             \(f(results["add_per_s"]!))")
        print("  partial decryptions (with proof)  \(f(results["partial_decrypt_per_s"]!))")
        print("  partial decryption verifications  \(f(results["verify_partial_per_s"]!))")
        print("  2-of-3 combinations (verified)    \(f(results["combine_2_of_3_per_s"]!))")
        print("  batched partial decryption, per ciphertext (16 per proof)  \(f(results["batch_partial_decrypt_per_ciphertext_per_s"]!))")
        print("  batched verification, per ciphertext                       \(f(results["batch_verify_per_ciphertext_per_s"]!))")
    }
}
