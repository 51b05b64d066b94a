/// Why a group-based operation refused its input. Every case names what was wrong and, where
/// there is one, the index or holder, so that a caller can report the sender's fault exactly.
public enum GroupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bytes that are not the canonical encoding of a ristretto255 element (RFC 9496 §4.3.1).
    case invalidPoint(what: String, index: Int?)
    /// Bytes that are not a canonical scalar (little-endian, < ℓ).
    case nonCanonicalScalar(what: String, index: Int?)
    /// A byte string or list of the wrong size.
    case invalidLength(what: String, expected: Int, found: Int)
    /// The inverse of zero was asked for.
    case zeroInverse
    /// A plaintext outside [0, 2^52).
    case messageOutOfRange(group: Int, index: Int, value: UInt64)
    /// A ciphertext group with more messages than the key has components, or none.
    case invalidGroupSize(group: Int, count: Int, keys: Int)
    /// Ciphertexts or keys whose shapes do not match (e.g. adding groups of different sizes).
    case shapeMismatch(String)
    /// The randomness proof of a submission does not verify.
    case invalidRandomnessProof
    /// A holder's partial decryptions or their proof do not verify.
    case invalidPartialDecryption(holder: Int, reason: String)
    /// A holder index that is not in 1...UInt32.max, or not the expected one.
    case invalidHolderIndex(Int)
    /// The same holder twice in one combination.
    case duplicateHolder(Int)
    /// Fewer holders than the threshold.
    case notEnoughHolders(needed: Int, found: Int)
    /// A combined value whose discrete logarithm is outside the table's range.
    case discreteLogOutOfRange(group: Int, index: Int)
    /// Parameters no plan or dealing can satisfy.
    case invalidParameters(String)
    /// A stored secret (dealing, key share) that does not parse.
    case invalidSerialization(String)

    public var description: String {
        switch self {
        case let .invalidPoint(what, index):
            return "invalid ristretto255 encoding: \(what)\(index.map { " #\($0)" } ?? "")"
        case let .nonCanonicalScalar(what, index):
            return "non-canonical scalar: \(what)\(index.map { " #\($0)" } ?? "")"
        case let .invalidLength(what, expected, found):
            return "\(what): expected \(expected), found \(found)"
        case .zeroInverse:
            return "the scalar 0 has no inverse"
        case let .messageOutOfRange(group, index, value):
            return "message \(index) of group \(group) is \(value), outside [0, 2^52)"
        case let .invalidGroupSize(group, count, keys):
            return "group \(group) has \(count) messages; a group holds 1...\(keys)"
        case let .shapeMismatch(what):
            return "shape mismatch: \(what)"
        case .invalidRandomnessProof:
            return "the proof of knowledge of the encryption randomness does not verify"
        case let .invalidPartialDecryption(holder, reason):
            return "holder \(holder): invalid partial decryption: \(reason)"
        case let .invalidHolderIndex(index):
            return "invalid holder index \(index)"
        case let .duplicateHolder(index):
            return "holder \(index) appears twice"
        case let .notEnoughHolders(needed, found):
            return "\(found) holder(s), the threshold is \(needed)"
        case let .discreteLogOutOfRange(group, index):
            return "value \(index) of group \(group) is outside the discrete-log table's range"
        case let .invalidParameters(what):
            return "invalid parameters: \(what)"
        case let .invalidSerialization(what):
            return "invalid serialization: \(what)"
        }
    }
}
