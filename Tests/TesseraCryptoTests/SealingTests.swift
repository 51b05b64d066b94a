import CSodium
import Foundation
import Testing
import TesseraCrypto
import TesseraRandom

@Suite struct SealingTests {
    @Test func sealAndOpenBetweenTwoKeyPairs() throws {
        var rng = ChaCha20DRBG(seed: Seed(1))
        let alice = SealingPrivateKey.generate(using: &rng), bob = SealingPrivateKey.generate(using: &rng)
        let eve = SealingPrivateKey.generate(using: &rng)
        let message = Array("share for bob".utf8)
        let box = SealedBox.seal(message, to: bob.publicKey, from: alice, using: &rng)
        #expect(box.count == message.count + SealedBox.overhead)
        #expect(try SealedBox.open(box, from: alice.publicKey, to: bob) == message)
        // Not for eve, not from eve, not altered.
        #expect(throws: SealingError.self) { try SealedBox.open(box, from: alice.publicKey, to: eve) }
        #expect(throws: SealingError.self) { try SealedBox.open(box, from: eve.publicKey, to: bob) }
        var flipped = box
        flipped[30] ^= 1
        #expect(throws: SealingError.self) { try SealedBox.open(flipped, from: alice.publicKey, to: bob) }
        #expect(throws: SealingError.self) { try SealedBox.open(Array(box.prefix(20)), from: alice.publicKey, to: bob) }
        let message_ = failure { _ = try SealedBox.open(box, from: alice.publicKey, to: eve) }
        #expect(message_?.contains("does not open") == true)
        // crypto_box_open_easy agrees on the format (nonce ‖ ciphertext).
        var out = [UInt8](repeating: 0, count: message.count)
        let nonce = Array(box.prefix(24)), ciphertext = Array(box.dropFirst(24))
        #expect(crypto_box_open_easy(&out, ciphertext, UInt64(ciphertext.count), nonce, alice.publicKey.bytes, bobSecret(bob)) == 0 && out == message)
    }

    @Test func anonymousBoxesAreLibsodiumSealedBoxes() throws {
        var rng = ChaCha20DRBG(seed: Seed(2))
        let recipient = SealingPrivateKey.generate(using: &rng)
        let message = Array("a threshold Paillier share".utf8)
        let box = SealedBox.sealAnonymously(message, to: recipient.publicKey, using: &rng)
        #expect(box.count == message.count + Int(crypto_box_sealbytes()))
        // libsodium's crypto_box_seal_open opens ours …
        var opened = [UInt8](repeating: 0, count: message.count)
        #expect(crypto_box_seal_open(&opened, box, UInt64(box.count), recipient.publicKey.bytes, bobSecret(recipient)) == 0)
        #expect(opened == message)
        // … and ours opens crypto_box_seal's.
        var theirs = [UInt8](repeating: 0, count: message.count + Int(crypto_box_sealbytes()))
        #expect(crypto_box_seal(&theirs, message, UInt64(message.count), recipient.publicKey.bytes) == 0)
        #expect(try SealedBox.openAnonymous(theirs, with: recipient) == message)
        // Reproducible from a seeded source; different ephemeral keys otherwise.
        var a = ChaCha20DRBG(seed: Seed(3)), b = ChaCha20DRBG(seed: Seed(3))
        #expect(SealedBox.sealAnonymously(message, to: recipient.publicKey, using: &a) == SealedBox.sealAnonymously(message, to: recipient.publicKey, using: &b))
        var s = SystemRandom()
        #expect(SealedBox.sealAnonymously(message, to: recipient.publicKey, using: &s) != SealedBox.sealAnonymously(message, to: recipient.publicKey, using: &s))
        // Another recipient cannot open it.
        let other = SealingPrivateKey.generate(using: &rng)
        #expect(throws: SealingError.self) { try SealedBox.openAnonymous(box, with: other) }
        var altered = box
        altered[altered.count - 1] ^= 0x80
        #expect(throws: SealingError.self) { try SealedBox.openAnonymous(altered, with: recipient) }
    }

    @Test func keysAreSodiumKeyPairsAndRoundTripAsPKCS8() throws {
        var rng = ChaCha20DRBG(seed: Seed(4))
        var copy = rng
        let key = SealingPrivateKey.generate(using: &rng)
        // crypto_box_seed_keypair on the same 32 bytes.
        let seed = copy.bytes(32)
        var pk = [UInt8](repeating: 0, count: 32), sk = [UInt8](repeating: 0, count: 32)
        #expect(crypto_box_seed_keypair(&pk, &sk, seed) == 0)
        #expect(key.publicKey.bytes == pk)
        let pem = key.pkcs8PEM
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VuBCIEI") && pem.hasSuffix("-----END PRIVATE KEY-----\n"))
        #expect(try SealingPrivateKey(pkcs8PEM: pem).publicKey == key.publicKey)
        #expect(!key.description.contains(sk.hex) && key.description.contains("redacted"))
        // Codable as hex.
        let json = try JSONEncoder().encode([key.publicKey])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(pk.hex)\"]")
        #expect(try JSONDecoder().decode([SealingPublicKey].self, from: json) == [key.publicKey])
        // A small-order point is refused.
        #expect(throws: SealingError.self) { try SealingPublicKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: SealingError.self) { try SealingPublicKey(bytes: [1] + [UInt8](repeating: 0, count: 31)) }
        #expect(throws: SealingError.self) { try SealingPublicKey(bytes: [9]) }
    }

    @Test func opensslReadsOurPKCS8KeysAndWeReadItsKeys() throws {
        var rng = ChaCha20DRBG(seed: Seed(5))
        let dir = NSTemporaryDirectory() + "tessera-pkcs8-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sealing = SealingPrivateKey.generate(using: &rng), signing = SigningKey.generate(using: &rng)
        for (name, pem, publicKey) in [("x25519", sealing.pkcs8PEM, sealing.publicKey.bytes), ("ed25519", signing.pkcs8PEM, signing.verifyingKey.bytes)] {
            let path = dir + "/" + name + ".pem"
            try pem.write(toFile: path, atomically: true, encoding: .utf8)
            let result = try run("/usr/bin/openssl", ["pkey", "-in", path, "-pubout", "-outform", "DER"])
            #expect(result.status == 0, "\(name): \(String(decoding: result.output, as: UTF8.self))")
            #expect(Array(result.output.suffix(32)) == publicKey, "openssl derives another \(name) public key")
            // And keys that openssl generates load here with the public key openssl reports.
            let generated = dir + "/gen-" + name + ".pem"
            #expect(try run("/usr/bin/openssl", ["genpkey", "-algorithm", name, "-out", generated]).status == 0)
            let theirs = try String(contentsOfFile: generated, encoding: .utf8)
            let theirPublic = Array(try run("/usr/bin/openssl", ["pkey", "-in", generated, "-pubout", "-outform", "DER"]).output.suffix(32))
            let ours = name == "x25519" ? try SealingPrivateKey(pkcs8PEM: theirs).publicKey.bytes : try SigningKey(pkcs8PEM: theirs).verifyingKey.bytes
            #expect(ours == theirPublic)
        }
        // The wrong curve and stray text are named.
        #expect(failure { _ = try SealingPrivateKey(pkcs8PEM: signing.pkcs8PEM) }?.contains("Ed25519 key, expected an X25519 key") == true)
        #expect(failure { _ = try SigningKey(pkcs8PEM: "junk\n" + signing.pkcs8PEM) }?.contains("text before the PEM block") == true)
        #expect(failure { _ = try SigningKey(pkcs8PEM: "-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----\n") }?
            .contains("expected -----BEGIN PRIVATE KEY-----") == true)
        #expect(try SigningKey(pkcs8PEM: signing.pkcs8PEM).verifyingKey == signing.verifyingKey)
    }
}

/// The secret key bytes, recovered from the PKCS#8 encoding (tests only: to call libsodium directly).
private func bobSecret(_ key: SealingPrivateKey) -> [UInt8] {
    try! PKCS8.privateKey(pem: key.pkcs8PEM, curve: .x25519)
}

private func failure(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}

private func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: [UInt8]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, [UInt8](data))
}
