import Foundation
import TesseraCrypto
import TesseraRandom

/// The key ceremony behind `tessera keys init`: a federation CA, a TLS certificate and
/// Ed25519 signing key per node, a trusted-dealer threshold Paillier key whose shares go
/// to the participants (index i to the i-th participant listed), and the public manifest.
///
/// Randomness: every private key, Ed25519 seed, Paillier prime and certificate serial comes
/// from libsodium (`SystemRandom`, or `ChaCha20DRBG` when a seed is given, one derived
/// stream per purpose). The ECDSA signatures on the certificates are made by swift-crypto,
/// whose nonces are its own (randomised), so certificates and their fingerprints differ
/// between two runs with the same seed while all key material is the same.
public enum KeyCeremony {
    public struct Options: Sendable {
        public var federation: String
        public var participants: [String]
        public var threshold: Int
        public var bits: Int
        /// Validity of the CA and node certificates, from `now` (minus an hour of clock skew).
        public var validityDays: Int
        /// Makes every key reproducible (test fixtures only: anyone with the seed has the keys).
        public var seed: UInt64?
        public var force: Bool
        public var now: Date

        public init(federation: String, participants: [String], threshold: Int, bits: Int = 2048,
                    validityDays: Int = 825, seed: UInt64? = nil, force: Bool = false, now: Date = Date()) {
            self.federation = federation
            self.participants = participants
            self.threshold = threshold
            self.bits = bits
            self.validityDays = validityDays
            self.seed = seed
            self.force = force
            self.now = now
        }
    }

    /// One file the ceremony wrote, relative to its directory.
    public struct WrittenFile: Sendable, Hashable {
        public let path: String
        public let secret: Bool
    }

    public struct Output: Sendable {
        public let manifest: FederationManifest
        public let files: [WrittenFile]
    }

    public static func validate(_ options: Options) throws {
        try FederationManifest.checkFederationName(options.federation)
        try FederationManifest.checkParticipantIDs(options.participants)
        guard (1...options.participants.count).contains(options.threshold) else {
            throw KeyCeremonyError.invalidThreshold(threshold: options.threshold, participants: options.participants.count)
        }
        guard options.bits % 2 == 0, (512...8192).contains(options.bits) else {
            throw KeyCeremonyError.invalidParameter("--bits \(options.bits): the Paillier modulus must be an even size in 512...8192")
        }
        guard (1...36500).contains(options.validityDays) else {
            throw KeyCeremonyError.invalidParameter("--days \(options.validityDays): certificate validity must be 1...36500 days")
        }
    }

    /// Every file the ceremony writes for these participants, manifest first.
    public static func plannedFiles(participants: [String]) -> [WrittenFile] {
        var files = [WrittenFile(path: KeyLayout.manifest, secret: false),
                     WrittenFile(path: KeyLayout.caCertificate, secret: false),
                     WrittenFile(path: KeyLayout.caPrivateKey, secret: true)]
        for id in [FederationManifest.coordinatorID] + participants {
            let dir = KeyLayout.nodeDirectory(id) + "/"
            files.append(WrittenFile(path: dir + KeyLayout.certificate, secret: false))
            files.append(WrittenFile(path: dir + KeyLayout.privateKey, secret: true))
            files.append(WrittenFile(path: dir + KeyLayout.signingKey, secret: true))
            if id != FederationManifest.coordinatorID {
                files.append(WrittenFile(path: dir + KeyLayout.share, secret: true))
            }
        }
        return files
    }

    /// Unless `force`, throws `fileExists` naming the first file of the ceremony that exists.
    public static func refuseOverwrite(_ options: Options, directory: String) throws {
        guard !options.force else { return }
        if let existing = plannedFiles(participants: options.participants).first(where: { exists(directory + "/" + $0.path) }) {
            throw KeyCeremonyError.fileExists(path: directory + "/" + existing.path)
        }
    }

    /// Runs the ceremony into `directory`. Refuses (naming the file) to overwrite anything
    /// unless `force`; everything is generated before the first write, and manifest.json is
    /// written last, so its presence marks a complete ceremony.
    @discardableResult
    public static func run(_ options: Options, directory: String) throws -> Output {
        try validate(options)
        try refuseOverwrite(options, directory: directory)
        let planned = plannedFiles(participants: options.participants)

        let warning = options.seed.map {
            "TEST federation generated from public seed \($0): every secret is reproducible by anyone. Never protect real data with it."
        }
        func rng(_ purpose: String) -> CeremonyRandom { CeremonyRandom(purpose: purpose, seed: options.seed) }
        let notBefore = options.now.addingTimeInterval(-3600)
        let notAfter = options.now.addingTimeInterval(Double(options.validityDays) * 86400)

        var paillierRNG = rng("paillier")
        let (thresholdKey, shares) = try ThresholdDealer.deal(bits: options.bits, threshold: options.threshold,
                                                              shareCount: options.participants.count, using: &paillierRNG)
        var caRNG = rng("ca")
        let ca = try CertificateAuthority.create(federation: options.federation, notBefore: notBefore,
                                                 notAfter: notAfter, using: &caRNG)

        var contents: [String: Data] = [
            KeyLayout.caCertificate: Data(try ca.certificatePEM.utf8),
            KeyLayout.caPrivateKey: Data(ca.privateKeyPEM.utf8),
        ]
        /// Issues a node's certificate and signing key and queues its files.
        func makeNode(_ id: String, dnsNames: [String], ipAddresses: [String]) throws -> (String, VerifyingKey) {
            var nodeRNG = rng("node/" + id)
            let issued = try ca.issue(commonName: id, dnsNames: dnsNames, ipAddresses: ipAddresses,
                                      notBefore: notBefore, notAfter: notAfter, using: &nodeRNG)
            let signingKey = SigningKey.generate(using: &nodeRNG)
            let dir = KeyLayout.nodeDirectory(id) + "/"
            contents[dir + KeyLayout.certificate] = Data(issued.certificatePEM.utf8)
            contents[dir + KeyLayout.privateKey] = Data(issued.privateKeyPEM.utf8)
            contents[dir + KeyLayout.signingKey] = try KeyFiles.encode(SigningKeyFile(id: id, key: signingKey, warning: warning))
            return (issued.fingerprint, signingKey.verifyingKey)
        }

        let (coordinatorFingerprint, coordinatorKey) = try makeNode(
            FederationManifest.coordinatorID, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"])
        var participants: [FederationManifest.Participant] = []
        for (id, share) in zip(options.participants, shares) {
            let (fingerprint, key) = try makeNode(id, dnsNames: [id], ipAddresses: [])
            participants.append(.init(id: id, certFingerprint: fingerprint, signingKey: key, shareIndex: share.index))
            contents[KeyLayout.nodeDirectory(id) + "/" + KeyLayout.share] =
                try KeyFiles.encode(KeyShareFile(share, keyID: thresholdKey.id, warning: warning))
        }
        let manifest = FederationManifest(
            format: FederationManifest.format, warning: warning, federation: options.federation,
            threshold: options.threshold, caFingerprint: FederationKeys.fingerprint(ofDER: try ca.der),
            coordinator: .init(id: FederationManifest.coordinatorID, certFingerprint: coordinatorFingerprint,
                               signingKey: coordinatorKey),
            participants: participants, thresholdKey: ThresholdKeyFile(thresholdKey, warning: warning))
        try manifest.validate(path: directory + "/" + KeyLayout.manifest)
        contents[KeyLayout.manifest] = try KeyFiles.encode(manifest)

        // Write: the old manifest goes first, the new one comes last.
        try KeyFileWriter.makeDirectory(directory, private: false)
        try KeyFileWriter.remove(directory + "/" + KeyLayout.manifest)
        try KeyFileWriter.makeDirectory(directory + "/" + KeyLayout.nodeDirectory(FederationManifest.coordinatorID), private: true)
        for id in options.participants {
            try KeyFileWriter.makeDirectory(directory + "/" + KeyLayout.nodeDirectory(id), private: true)
        }
        for file in planned.dropFirst() + planned.prefix(1) {
            try KeyFileWriter.write(contents[file.path]!, to: directory + "/" + file.path, secret: file.secret)
        }
        return Output(manifest: manifest, files: planned)
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}

/// The ceremony's random source: the OS generator, or with a seed one ChaCha20 stream per
/// purpose (`Seed(seed).derive("tessera/keys/v1/" + purpose)`), so that each key depends
/// only on the seed and its purpose.
struct CeremonyRandom: RandomSource {
    private var system: SystemRandom?
    private var seeded: ChaCha20DRBG?

    init(purpose: String, seed: UInt64?) {
        if let seed {
            seeded = ChaCha20DRBG(seed: Seed(seed).derive("tessera/keys/v1/" + purpose))
        } else {
            system = SystemRandom()
        }
    }

    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        if seeded != nil { seeded!.fill(buffer) } else { system!.fill(buffer) }
    }
}
