import COpenSSL

/// A second, independent primality test: OpenSSL's `BN_check_prime` (Miller–Rabin with
/// rounds chosen for a 2^−128 error bound, FIPS 186-5 §B.3). Used to cross-check GMP's
/// verdict on generated and loaded key material; the two libraries share no code.
public enum OpenSSLPrimality {
    public static func isProbablePrime(_ x: BigInt) -> Bool {
        guard !x.isNegative else { return false }
        let bytes = x.bigEndianBytes()
        guard let bn = bytes.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
            return false
        }
        defer { BN_clear_free(bn) }
        guard let ctx = BN_CTX_new() else { return false }
        defer { BN_CTX_free(ctx) }
        return BN_check_prime(bn, ctx, nil) == 1
    }
}
