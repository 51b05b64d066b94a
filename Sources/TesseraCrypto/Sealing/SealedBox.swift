import CSodium
import TesseraRandom

/// Sealed messages between X25519 key pairs (libsodium `crypto_box`: X25519 key agreement,
/// XSalsa20-Poly1305; Bernstein, "Cryptography in NaCl").
///
/// - `seal`/`open`: authenticated both ways, box = nonce (24 random bytes from `rng`) ‖
///   `crypto_box_easy(m, nonce, recipient, sender)`. Only the recipient opens it, and the
///   recipient knows the sender's key made it.
/// - `sealAnonymously`/`openAnonymous`: byte-compatible with libsodium's `crypto_box_seal`
///   (box = epk ‖ `crypto_box_easy(m, BLAKE2b-192(epk ‖ pk), pk, esk)`), except that the
///   ephemeral key comes from `rng`, so that a seeded source reproduces the box.
///   `crypto_box_seal_open` opens it. The sender is not authenticated: sign what you seal.
public enum SealedBox {
    public static let nonceBytes = Int(crypto_box_NONCEBYTES)
    public static let overhead = Int(crypto_box_NONCEBYTES) + Int(crypto_box_MACBYTES)
    public static let anonymousOverhead = Int(crypto_box_sealbytes())

    public static func seal<R: RandomSource>(_ plaintext: [UInt8], to recipient: SealingPublicKey,
                                             from sender: SealingPrivateKey, using rng: inout R) -> [UInt8] {
        Sodium.ensureInitialized()
        let nonce = rng.bytes(nonceBytes)
        return nonce + box(plaintext, nonce: nonce, to: recipient.bytes, secretKey: sender.secretKey)
    }

    public static func open(_ box: [UInt8], from sender: SealingPublicKey, to recipient: SealingPrivateKey) throws -> [UInt8] {
        Sodium.ensureInitialized()
        guard box.count >= overhead else {
            throw SealingError.doesNotOpen("\(box.count) bytes is shorter than a box (\(overhead) bytes of nonce and tag)")
        }
        let nonce = Array(box.prefix(nonceBytes)), ciphertext = Array(box.dropFirst(nonceBytes))
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count - Int(crypto_box_MACBYTES))
        guard crypto_box_open_easy(&plaintext, ciphertext, UInt64(ciphertext.count), nonce, sender.bytes, recipient.secretKey) == 0 else {
            throw SealingError.doesNotOpen("it was not sealed by \(sender) to \(recipient.publicKey), or it was altered")
        }
        return plaintext
    }

    public static func sealAnonymously<R: RandomSource>(_ plaintext: [UInt8], to recipient: SealingPublicKey,
                                                        using rng: inout R) -> [UInt8] {
        Sodium.ensureInitialized()
        let ephemeral = SealingPrivateKey.generate(using: &rng)
        let nonce = anonymousNonce(ephemeral: ephemeral.publicKey.bytes, recipient: recipient.bytes)
        return ephemeral.publicKey.bytes + box(plaintext, nonce: nonce, to: recipient.bytes, secretKey: ephemeral.secretKey)
    }

    public static func openAnonymous(_ box: [UInt8], with recipient: SealingPrivateKey) throws -> [UInt8] {
        Sodium.ensureInitialized()
        guard box.count >= anonymousOverhead else {
            throw SealingError.doesNotOpen("\(box.count) bytes is shorter than a sealed box (\(anonymousOverhead) bytes of key and tag)")
        }
        var plaintext = [UInt8](repeating: 0, count: box.count - anonymousOverhead)
        guard crypto_box_seal_open(&plaintext, box, UInt64(box.count), recipient.publicKey.bytes, recipient.secretKey) == 0 else {
            throw SealingError.doesNotOpen("it was not sealed to \(recipient.publicKey), or it was altered")
        }
        return plaintext
    }

    /// BLAKE2b with a 24-byte output over epk ‖ pk, as `crypto_box_seal` derives its nonce.
    static func anonymousNonce(ephemeral: [UInt8], recipient: [UInt8]) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: nonceBytes)
        let input = ephemeral + recipient
        precondition(crypto_generichash(&nonce, nonce.count, input, UInt64(input.count), nil, 0) == 0, "crypto_generichash failed")
        return nonce
    }

    private static func box(_ plaintext: [UInt8], nonce: [UInt8], to publicKey: [UInt8], secretKey: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plaintext.count + Int(crypto_box_MACBYTES))
        // Cannot fail: SealingPublicKey refuses the small-order points for which it would.
        precondition(crypto_box_easy(&out, plaintext, UInt64(plaintext.count), nonce, publicKey, secretKey) == 0,
                     "crypto_box_easy failed")
        return out
    }
}
