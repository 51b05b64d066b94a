/// Why a key ceremony refused to run. Each case names the offending input or file.
public enum KeyCeremonyError: Error, CustomStringConvertible, Equatable {
    case invalidFederationName(String)
    case invalidParticipantID(String, reason: String)
    case duplicateParticipantID(String)
    case noParticipants
    case invalidThreshold(threshold: Int, participants: Int)
    case invalidParameter(String)
    case fileExists(path: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidFederationName(let name):
            return "invalid federation name \(name.debugDescription): use 1-40 characters from a-z A-Z 0-9 . _ - starting with a letter or digit"
        case .invalidParticipantID(let id, let reason):
            return "invalid participant id \(id.debugDescription): \(reason)"
        case .duplicateParticipantID(let id):
            return "participant id \(id.debugDescription) appears more than once"
        case .noParticipants:
            return "at least one participant is needed"
        case .invalidThreshold(let t, let n):
            return "threshold \(t) is impossible with \(n) participant(s): need 1 ≤ threshold ≤ \(n)"
        case .invalidParameter(let why):
            return why
        case .fileExists(let path):
            return "\(path) already exists; refusing to overwrite key material (pass --force to replace the whole ceremony)"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}

/// Why a key directory could not be loaded. Each case names the file and the problem.
public enum FederationKeysError: Error, CustomStringConvertible, Equatable {
    case missingFile(path: String)
    case unreadable(path: String, reason: String)
    case badPEM(path: String, reason: String)
    case badCertificate(path: String, reason: String)
    case invalidManifest(path: String, reason: String)
    /// The file disagrees with manifest.json (or with the federation CA).
    case mismatch(path: String, reason: String)
    case unknownNode(id: String, manifest: String)

    public var description: String {
        switch self {
        case .missingFile(let p): return "\(p): missing file"
        case .unreadable(let p, let r): return "\(p): cannot read: \(r)"
        case .badPEM(let p, let r): return "\(p): bad PEM: \(r)"
        case .badCertificate(let p, let r): return "\(p): bad certificate: \(r)"
        case .invalidManifest(let p, let r): return "\(p): invalid manifest: \(r)"
        case .mismatch(let p, let r): return "\(p): \(r)"
        case .unknownNode(let id, let m): return "\(m): no node \(id.debugDescription) in the federation manifest"
        }
    }
}
