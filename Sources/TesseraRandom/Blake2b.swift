import CSodium

/// BLAKE2b (RFC 7693) through libsodium's `crypto_generichash`: Tessera's hash for seed
/// derivation, Fiat–Shamir challenges and transcript chaining.
public enum Blake2b {
    public static func hash(_ input: [UInt8], key: [UInt8] = [], outputLength: Int = 32) -> [UInt8] {
        Sodium.ensureInitialized()
        precondition((16...64).contains(outputLength), "BLAKE2b output is 16...64 bytes")
        precondition(key.count <= 64, "BLAKE2b key is at most 64 bytes")
        var out = [UInt8](repeating: 0, count: outputLength)
        let rc = key.isEmpty
            ? crypto_generichash(&out, outputLength, input, UInt64(input.count), nil, 0)
            : crypto_generichash(&out, outputLength, input, UInt64(input.count), key, key.count)
        precondition(rc == 0, "crypto_generichash failed")
        return out
    }
}
