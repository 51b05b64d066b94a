import TesseraCrypto

/// `manifest.json`: the public facts of a federation (protocol/README.md §7). Fingerprints
/// are SHA-256 of a certificate's DER encoding, lowercase hex; signing keys are Ed25519
/// public keys, hex. The manifest is what identifies a TLS peer: its certificate's
/// fingerprint, never a name inside a message.
public struct FederationManifest: Codable, Sendable {
    public static let format = "tessera/federation-manifest/v1"
    public static let coordinatorID = "coordinator"

    public struct Coordinator: Codable, Sendable, Hashable {
        public var id: String
        public var certFingerprint: String
        public var signingKey: VerifyingKey
    }

    public struct Participant: Codable, Sendable, Hashable {
        public var id: String
        public var certFingerprint: String
        public var signingKey: VerifyingKey
        /// The threshold-Paillier share index (1...n) this participant holds.
        public var shareIndex: Int
    }

    public var format: String
    public var warning: String?
    public var federation: String
    public var threshold: Int
    /// SHA-256 of ca.pem's DER: pins the federation CA.
    public var caFingerprint: String
    public var coordinator: Coordinator
    public var participants: [Participant]
    public var thresholdKey: ThresholdKeyFile

    public func participant(_ id: String) -> Participant? { participants.first { $0.id == id } }

    /// Checks internal consistency; `path` names the file in errors.
    public func validate(path: String) throws {
        func fail(_ reason: String) -> FederationKeysError { .invalidManifest(path: path, reason: reason) }
        guard format == Self.format else { throw fail("format is \(format.debugDescription), expected \(Self.format.debugDescription)") }
        do { try Self.checkFederationName(federation) } catch { throw fail("\(error)") }
        guard coordinator.id == Self.coordinatorID else { throw fail("coordinator id must be \"coordinator\"") }
        guard !participants.isEmpty else { throw fail("no participants") }
        do { try Self.checkParticipantIDs(participants.map(\.id)) } catch { throw fail("\(error)") }
        guard (1...participants.count).contains(threshold) else {
            throw fail("threshold \(threshold) with \(participants.count) participants")
        }
        let fingerprints = [caFingerprint, coordinator.certFingerprint] + participants.map(\.certFingerprint)
        for f in fingerprints where !Self.isFingerprint(f) {
            throw fail("fingerprint \(f.debugDescription) is not 64 lowercase hex digits")
        }
        guard Set(fingerprints).count == fingerprints.count else { throw fail("two certificates share a fingerprint") }
        let keys = [coordinator.signingKey] + participants.map(\.signingKey)
        guard Set(keys).count == keys.count else { throw fail("two nodes share a signing key") }
        guard participants.map(\.shareIndex).sorted() == Array(1...participants.count) else {
            throw fail("share indices must be 1...\(participants.count), each once")
        }
        let key: ThresholdPublicKey
        do { key = try thresholdKey.publicKey(path: path) } catch { throw fail("thresholdKey: \(error)") }
        guard key.threshold == threshold, key.shareCount == participants.count else {
            throw fail("thresholdKey is \(key.threshold) of \(key.shareCount), manifest says \(threshold) of \(participants.count)")
        }
    }

    // MARK: Names

    /// A participant id: `^[a-z0-9][a-z0-9-]{0,62}$` (usable as a directory name and a DNS
    /// label), and not the reserved "coordinator".
    public static func checkParticipantID(_ id: String) throws {
        let bytes = Array(id.utf8)
        func isLowerAlnum(_ c: UInt8) -> Bool { (0x61...0x7a).contains(c) || (0x30...0x39).contains(c) }
        guard (1...63).contains(bytes.count) else {
            throw KeyCeremonyError.invalidParticipantID(id, reason: "must be 1 to 63 characters")
        }
        guard isLowerAlnum(bytes[0]), bytes.dropFirst().allSatisfy({ isLowerAlnum($0) || $0 == 0x2d }) else {
            throw KeyCeremonyError.invalidParticipantID(id, reason: "must match ^[a-z0-9][a-z0-9-]{0,62}$")
        }
        guard id != coordinatorID else {
            throw KeyCeremonyError.invalidParticipantID(id, reason: "\"coordinator\" is reserved for the coordinator")
        }
    }

    public static func checkParticipantIDs(_ ids: [String]) throws {
        guard !ids.isEmpty else { throw KeyCeremonyError.noParticipants }
        var seen = Set<String>()
        for id in ids {
            try checkParticipantID(id)
            guard seen.insert(id).inserted else { throw KeyCeremonyError.duplicateParticipantID(id) }
        }
    }

    /// A federation name: 1–40 of `A-Za-z0-9._-`, starting with a letter or digit (it goes
    /// into the CA's common name, at most 64 characters by RFC 5280 Appendix A.1).
    public static func checkFederationName(_ name: String) throws {
        let bytes = Array(name.utf8)
        func isAlnum(_ c: UInt8) -> Bool {
            (0x61...0x7a).contains(c) || (0x41...0x5a).contains(c) || (0x30...0x39).contains(c)
        }
        guard (1...40).contains(bytes.count), isAlnum(bytes[0]),
              bytes.allSatisfy({ isAlnum($0) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d }) else {
            throw KeyCeremonyError.invalidFederationName(name)
        }
    }

    static func isFingerprint(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
