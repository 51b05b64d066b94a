import Foundation
import TesseraCrypto
import TesseraRandom

/// `tessera keys init`: a whole TEST federation generated in one place from a public seed.
/// It runs the real enrollment code paths, in one process: a request for every node
/// (coordinator, participants and a dealer "dealer"), `ca init`, `sign`, and `deal`, and
/// writes the federation layout (`KeyLayout`) with a TEST warning in the manifest and the
/// dealing. Whoever holds such a directory holds every secret of the federation: it exists
/// for tests and demonstrations only, which is why a seed is required. Real federations
/// use `tessera keys request` at each node, `keys ca init` and `keys sign` at the CA
/// operator, `keys deal` at the dealer and `keys install` at each node.
///
/// Randomness: every private key, Ed25519 seed, X25519 key, Paillier prime, certificate
/// serial and sealing ephemeral comes from one ChaCha20 stream per purpose under the seed,
/// so each key depends only on the seed and its purpose. The ECDSA signatures (certificates,
/// CSRs, manifest) are made by swift-crypto, whose nonces are its own: certificate
/// fingerprints, the manifest's signature, and so its epoch and the dealing's signature,
/// differ between two runs with the same seed, while all key material is the same.
public enum KeyCeremony {
    public static let dealerID = "dealer"

    public struct Options: Sendable {
        public var federation: String
        public var participants: [String]
        public var threshold: Int
        /// The decryption committee (a subset of the participants); nil = every participant.
        public var committee: [String]?
        public var bits: Int
        /// Validity of the CA and node certificates, from `now` (minus an hour of clock skew).
        public var validityDays: Int
        /// Every key is reproducible from it: anyone with the seed has the keys.
        public var seed: UInt64
        public var force: Bool
        public var now: Date
        /// API users enrolled with the nodes (none by default; `Principal.standard` for the demo set).
        public var principals: [Principal]

        public init(federation: String, participants: [String], threshold: Int, committee: [String]? = nil, bits: Int = 2048,
                    validityDays: Int = 825, seed: UInt64, force: Bool = false, now: Date = Date(), principals: [Principal] = []) {
            self.principals = principals
            self.federation = federation
            self.participants = participants
            self.threshold = threshold
            self.committee = committee
            self.bits = bits
            self.validityDays = validityDays
            self.seed = seed
            self.force = force
            self.now = now
        }

        public var holders: [String] { (committee ?? participants).sorted() }
        public var warning: String {
            "TEST federation generated from public seed \(seed): anyone can reproduce all of its private keys. Never protect real data with it."
        }
    }

    public typealias WrittenFile = Enrollment.WrittenFile

    /// A principal of a TEST federation: id, role, organisation.
    public struct Principal: Sendable, Hashable {
        public var id: String
        public var role: NodeRole
        public var organisation: String
        public init(id: String, role: NodeRole, organisation: String) {
            self.id = id
            self.role = role
            self.organisation = organisation
        }

        /// The demonstration set: the platform's operator and analyst, an external auditor,
        /// and a steward for each brand ("steward-ID").
        public static func standard(participants: [String]) -> [Principal] {
            [Principal(id: "operator", role: .operator, organisation: "platform"),
             Principal(id: "analyst", role: .analyst, organisation: "platform"),
             Principal(id: "auditor", role: .auditor, organisation: "audit-firm")]
                + participants.map { Principal(id: "steward-" + $0, role: .steward, organisation: $0) }
        }
    }

    public struct Output: Sendable {
        public let manifest: FederationManifest
        public let dealing: PaillierDealing
        public let files: [WrittenFile]
    }

    public static func validate(_ options: Options) throws {
        try FederationManifest.checkFederationName(options.federation)
        try FederationManifest.checkParticipantIDs(options.participants)
        guard !options.participants.contains(dealerID) else {
            throw KeyCeremonyError.invalidParticipantID(dealerID, reason: "\"\(dealerID)\" is the TEST federation's dealer")
        }
        var ids = Set(options.participants + [dealerID, FederationManifest.coordinatorID])
        for p in options.principals {
            guard p.role.isPrincipal else { throw KeyCeremonyError.invalidParameter("principal \(p.id): \(p.role.rawValue) is not a principal's role") }
            try FederationManifest.checkParticipantID(p.id)
            guard ids.insert(p.id).inserted else { throw KeyCeremonyError.duplicateParticipantID(p.id) }
        }
        if let committee = options.committee {
            guard !committee.isEmpty else { throw KeyCeremonyError.invalidParameter("--committee is empty") }
            for id in committee where !options.participants.contains(id) {
                throw KeyCeremonyError.invalidParameter("--committee: \(id.debugDescription) is not one of --participants")
            }
            guard Set(committee).count == committee.count else { throw KeyCeremonyError.invalidParameter("--committee names a participant twice") }
        }
        try ThresholdRule.check(threshold: options.threshold, holders: options.holders.count)
        guard options.bits % 2 == 0, (512...8192).contains(options.bits) else {
            throw KeyCeremonyError.invalidParameter("--bits \(options.bits): the Paillier modulus must be an even size in 512...8192")
        }
        guard (1...36500).contains(options.validityDays) else {
            throw KeyCeremonyError.invalidParameter("--days \(options.validityDays): certificate validity must be 1...36500 days")
        }
    }

    /// The members of a TEST federation: coordinator, participants, dealer, principals.
    static func nodes(_ participants: [String], principals: [Principal] = []) -> [(String, NodeRole)] {
        [(FederationManifest.coordinatorID, .coordinator)] + participants.map { ($0, .participant) } + [(dealerID, .dealer)]
            + principals.map { ($0.id, $0.role) }
    }

    /// Every file the ceremony writes for these members, manifest first.
    public static func plannedFiles(participants: [String], principals: [Principal] = []) -> [WrittenFile] {
        var files = [WrittenFile(path: KeyLayout.manifest, secret: false),
                     WrittenFile(path: KeyLayout.caCertificate, secret: false),
                     WrittenFile(path: KeyLayout.caPrivateKey, secret: true),
                     WrittenFile(path: KeyLayout.dealing, secret: false)]
        for (id, role) in nodes(participants, principals: principals) {
            let dir = KeyLayout.nodeDirectory(id, role: role) + "/"
            if role.hasCertificate { files.append(WrittenFile(path: dir + KeyLayout.certificate, secret: false)) }
            for name in KeyLayout.secretFiles(role: role) { files.append(WrittenFile(path: dir + name, secret: true)) }
        }
        return files
    }

    /// Unless `force`, throws `fileExists` naming the first file of the ceremony that exists.
    public static func refuseOverwrite(_ options: Options, directory: String) throws {
        guard !options.force else { return }
        if let existing = plannedFiles(participants: options.participants, principals: options.principals).first(where: { Enrollment.exists(directory + "/" + $0.path) }) {
            throw KeyCeremonyError.fileExists(path: directory + "/" + existing.path)
        }
    }

    /// Runs the ceremony into `directory`. Refuses (naming the file) to overwrite anything
    /// unless `force`; everything is generated and checked before the first write, and
    /// manifest.json is written last, so its presence marks a complete ceremony.
    @discardableResult
    public static func run(_ options: Options, directory: String) throws -> Output {
        try validate(options)
        try refuseOverwrite(options, directory: directory)
        func rng(_ purpose: String) -> ChaCha20DRBG { ChaCha20DRBG(seed: Seed(options.seed).derive("tessera/keys/v1/" + purpose)) }
        let notBefore = options.now.addingTimeInterval(-3600)
        let notAfter = options.now.addingTimeInterval(Double(options.validityDays) * 86400)

        // At each node: keys and a signed request.
        var materials: [String: NodeKeyMaterial] = [:]
        var requests: [VerifiedRequest] = []
        for (id, role) in nodes(options.participants, principals: options.principals) {
            var nodeRNG = rng("node/" + id)
            let (request, material) = try EnrollmentRequest.generate(
                federation: options.federation, id: id, role: role,
                dnsNames: role == .coordinator ? ["localhost"] : [], ipAddresses: role == .coordinator ? ["127.0.0.1", "::1"] : [],
                organisation: options.principals.first { $0.id == id }?.organisation, using: &nodeRNG)
            materials[id] = material
            requests.append(try request.verify(path: KeyLayout.nodeDirectory(id, role: role) + "/" + KeyLayout.request))
        }
        // At the CA operator.
        var caRNG = rng("ca")
        let ca = try CertificateAuthority.create(federation: options.federation, notBefore: notBefore, notAfter: notAfter, using: &caRNG)
        var signRNG = rng("sign")
        let signed = try ca.signFederation(requests: requests, threshold: options.threshold, committee: options.committee,
                                           notBefore: notBefore, notAfter: notAfter, warning: options.warning, using: &signRNG)
        // At the dealer.
        var keyRNG = rng("paillier"), sealRNG = rng("seal")
        let dealer = materials[dealerID]!
        let dealing = try PaillierDealer.deal(manifest: signed.manifest, dealerID: dealerID, signingKey: dealer.signingKey,
                                              threshold: options.threshold, bits: options.bits, warning: options.warning,
                                              keyRandom: &keyRNG, sealRandom: &sealRNG)

        var contents: [String: Data] = [
            KeyLayout.manifest: try signed.manifestData,
            KeyLayout.caCertificate: Data(signed.caCertificatePEM.utf8),
            KeyLayout.caPrivateKey: Data(ca.privateKeyPEM.utf8),
            KeyLayout.dealing: try KeyFiles.encode(dealing),
        ]
        for (id, role) in nodes(options.participants, principals: options.principals) {
            let dir = KeyLayout.nodeDirectory(id, role: role) + "/"
            for (name, data) in materials[id]!.secretFiles() { contents[dir + name] = data }
            if let c = signed.certificates.first(where: { $0.id == id }) {
                contents[dir + KeyLayout.certificate] = Data(c.certificate.certificatePEM.utf8)
            }
        }
        let planned = plannedFiles(participants: options.participants, principals: options.principals)
        precondition(Set(planned.map(\.path)) == Set(contents.keys), "ceremony files and plan differ")

        // Write: the old manifest goes first, the new one comes last.
        try KeyFileWriter.makeDirectory(directory, private: true)
        try KeyFileWriter.remove(directory + "/" + KeyLayout.manifest)
        for (id, role) in nodes(options.participants, principals: options.principals) {
            let dir = directory + "/" + KeyLayout.nodeDirectory(id, role: role)
            try KeyFileWriter.makeDirectory(dir, private: true)
            // A v1 ceremony kept unsealed Paillier shares here: they must not survive a --force.
            try KeyFileWriter.remove(dir + "/paillier-share.json")
        }
        for file in planned.dropFirst() + planned.prefix(1) {
            try KeyFileWriter.write(contents[file.path]!, to: directory + "/" + file.path, secret: file.secret)
        }
        return Output(manifest: signed.manifest, dealing: dealing, files: planned)
    }
}
