/// Why a key command refused to run. Each case names the offending input or file.
public enum KeyCeremonyError: Error, CustomStringConvertible, Equatable {
    case invalidFederationName(String)
    case invalidParticipantID(String, reason: String)
    case duplicateParticipantID(String)
    case noParticipants
    /// t of n decryption holders violates the rule n/2 < t ≤ n (see `ThresholdRule`).
    case invalidThreshold(threshold: Int, holders: Int)
    case invalidParameter(String)
    case fileExists(path: String)
    /// A node's keys are never replaced in place.
    case nodeKeysExist(path: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidFederationName(let name):
            return "invalid federation name \(name.debugDescription): use 1-40 characters from a-z A-Z 0-9 . _ - starting with a letter or digit"
        case .invalidParticipantID(let id, let reason):
            return "invalid node id \(id.debugDescription): \(reason)"
        case .duplicateParticipantID(let id):
            return "node id \(id.debugDescription) appears more than once"
        case .noParticipants:
            return "at least one participant is needed"
        case .invalidThreshold(let t, let n):
            return ThresholdRule.refusal(threshold: t, holders: n)
        case .invalidParameter(let why):
            return why
        case .fileExists(let path):
            return "\(path) already exists; refusing to overwrite key material (pass --force to replace it)"
        case .nodeKeysExist(let path):
            return "\(path) already exists; a node's keys are never replaced in place: request into a new, empty directory"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}

/// Why a key directory, manifest or dealing could not be loaded. Each case names the file
/// and the problem.
public enum FederationKeysError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    case unreadable(path: String, reason: String)
    case badPEM(path: String, reason: String)
    case badCertificate(path: String, reason: String)
    case invalidManifest(path: String, reason: String)
    /// The manifest has no CA signature.
    case unsignedManifest(path: String)
    /// The CA signature does not verify: the manifest was altered or signed by another key.
    case badManifestSignature(path: String, reason: String)
    /// The file disagrees with manifest.json (or with the federation CA).
    case mismatch(path: String, reason: String)
    case unknownNode(id: String, manifest: String)
    /// A node cannot run against a manifest that lists no coordinator.
    case noCoordinator(manifest: String)
    /// FederationInfo needs the Paillier dealing (paillier-dealing.json) for now.
    case noDealing(directory: String)
    case invalidDealing(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let p): return "\(p): missing file"
        case .unreadable(let p, let r): return "\(p): cannot read: \(r)"
        case .badPEM(let p, let r): return "\(p): bad PEM: \(r)"
        case .badCertificate(let p, let r): return "\(p): bad certificate: \(r)"
        case .invalidManifest(let p, let r): return "\(p): invalid manifest: \(r)"
        case .unsignedManifest(let p):
            return "\(p): the manifest is not signed (no \"signature\" field); refusing an unsigned manifest: only one signed by the federation CA (tessera keys sign) is accepted"
        case .badManifestSignature(let p, let r):
            return "\(p): bad manifest signature: \(r); refusing the manifest (altered, or signed by another CA)"
        case .mismatch(let p, let r): return "\(p): \(r)"
        case .unknownNode(let id, let m): return "\(m): no node \(id.debugDescription) in the federation manifest"
        case .noCoordinator(let m):
            return "\(m): the manifest lists no coordinator; a node cannot run against it (sign again with the coordinator's request.json)"
        case .noDealing(let d):
            return "\(d): no Paillier dealing installed (\(KeyLayout.dealing)); run tessera keys deal and install its output with tessera keys install --dealing"
        case .invalidDealing(let p, let r): return "\(p): invalid Paillier dealing: \(r)"
        }
    }
}

/// Why an enrollment step (request, sign, install, deal) refused its input. Nothing is
/// written for a refused input.
public enum EnrollmentError: Error, CustomStringConvertible, Equatable {
    /// An enrollment request that is malformed, badly signed or inconsistent.
    case invalidRequest(path: String, reason: String)
    /// An input that does not belong to this node, CA or federation.
    case refused(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidRequest(let p, let r): return "\(p): invalid enrollment request: \(r)"
        case .refused(let p, let r): return "\(p): \(r)"
        }
    }
}
