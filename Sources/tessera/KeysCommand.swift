import ArgumentParser
import Foundation
import TesseraCrypto
import TesseraKeys
import TesseraRandom

/// `tessera keys …`: enrollment. Every secret originates at its owner: a node generates its
/// keys (`request`), the CA operator signs public requests (`ca init`, `sign`), the dealer
/// deals the Paillier key sealed to each holder (`deal`), and each node installs what it
/// receives (`install`). `init` generates a whole TEST federation in one place.
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Enrollment: node key requests, the federation CA, signed manifest, Paillier dealing, TEST federations.",
        subcommands: [KeysRequest.self, KeysCA.self, KeysSign.self, KeysInstall.self, KeysDeal.self, KeysInit.self])
}

private func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

private func splitList(_ text: String) -> [String] {
    text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
}

/// `tessera keys request`: runs on the node.
struct KeysRequest: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "request",
        abstract: "At a node: generate its TLS key and CSR, Ed25519 signing key and X25519 sealing key; write request.json (public) for the CA operator.",
        discussion: """
        Writes DIR/key.pem (P-256, SEC1), DIR/signing.key (Ed25519, PKCS#8) and DIR/sealing.key \
        (X25519, PKCS#8) with mode 0600 in a 0700 directory, and DIR/request.json with public \
        material only. Send request.json to the CA operator; the secrets never leave DIR. \
        A dealer (--role dealer) gets no TLS key and no CSR: it never connects.
        """)

    @Option(help: "Federation name (1-40 of A-Za-z0-9._-).") var federation: String
    @Option(help: "This node's id (^[a-z0-9][a-z0-9-]{0,62}$; the coordinator's is \"coordinator\").") var id: String?
    @Option(help: "participant, coordinator, dealer, or a principal of the job API: operator, analyst, steward, auditor.") var role: String = "participant"
    @Option(help: "Principals only: the organisation (platform, a brand's id, or a firm's name; a steward's is its brand).") var organisation: String?
    @Option(name: .customLong("dns"), help: "Coordinator only: a DNS name its certificate should carry (repeatable; default localhost).")
    var dnsNames: [String] = []
    @Option(name: .customLong("ip"), help: "Coordinator only: an IP address its certificate should carry (repeatable; default 127.0.0.1 and ::1).")
    var ipAddresses: [String] = []
    @Option(help: "The node's key directory (created 0700).") var out: String

    func run() throws {
        guard let role = NodeRole(rawValue: role) else {
            throw ValidationError("--role \(role.debugDescription): expected participant, coordinator, dealer, operator, analyst, steward or auditor")
        }
        let id = self.id ?? (role == .coordinator ? FederationManifest.coordinatorID : "")
        guard !id.isEmpty else { throw ValidationError("--id is required for a \(role.rawValue)") }
        var dns = dnsNames, ips = ipAddresses
        if role == .coordinator && dns.isEmpty && ips.isEmpty { dns = ["localhost"]; ips = ["127.0.0.1", "::1"] }
        var rng = SystemRandom()
        let (request, material) = try EnrollmentRequest.generate(federation: federation, id: id, role: role,
                                                                 dnsNames: dns, ipAddresses: ips, organisation: organisation, using: &rng)
        let written = try Enrollment.writeNode(material, request: request, directory: out)
        print("\(role.rawValue) \(id) of federation \(federation): keys generated in \(out)")
        for file in written { print("  \(file.secret ? "0600 secret" : "0644 public") \(out)/\(file.path)") }
        print("  signing key (Ed25519) \(request.signingKey)")
        print("  sealing key (X25519)  \(request.sealingKey)")
        print("Send \(out)/\(KeyLayout.request) to the CA operator; keep the secret files in \(out).")
    }
}

/// `tessera keys ca …`
struct KeysCA: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ca", abstract: "The federation CA (at the CA operator).",
                                                    subcommands: [KeysCAInit.self])
}

struct KeysCAInit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init",
        abstract: "Create the federation CA: CA_DIR/ca.pem and CA_DIR/ca-key.pem (SEC1, 0600).")

    @Option(help: "Federation name (1-40 of A-Za-z0-9._-).") var federation: String
    @Option(help: "The CA directory (created 0700).") var out: String
    @Option(help: "CA certificate validity in days.") var days: Int = 3650
    @Flag(help: "Replace an existing CA in the directory.") var force = false

    func run() throws {
        try FederationManifest.checkFederationName(federation)
        guard (1...36500).contains(days) else { throw ValidationError("--days must be 1...36500") }
        let now = Date()
        var rng = SystemRandom()
        let ca = try CertificateAuthority.create(federation: federation, notBefore: now.addingTimeInterval(-3600),
                                                 notAfter: now.addingTimeInterval(Double(days) * 86400), using: &rng)
        let written = try Enrollment.writeCA(ca, directory: out, force: force)
        print("federation \(federation): CA written to \(out)")
        for file in written { print("  \(file.secret ? "0600 secret" : "0644 public") \(out)/\(file.path)") }
        print("  CA fingerprint (SHA-256) \(try ca.fingerprint)")
        print("Keep \(out)/\(KeyLayout.caPrivateKey) offline; sign requests with tessera keys sign --ca \(out).")
    }
}

/// `tessera keys sign`: at the CA operator.
struct KeysSign: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sign",
        abstract: "Verify nodes' request.json files, issue their certificates from their CSRs, and write the CA-signed manifest.json.",
        discussion: """
        Writes OUT/ID/cert.pem for every participant and the coordinator, OUT/ca.pem and \
        OUT/manifest.json (signed by the CA key). Each request's self-signature and CSR are \
        verified first; if any is refused, nothing is written. The threshold t applies to the \
        decryption holders (the --committee, or every participant) and must exceed n/2.
        """)

    @Option(help: "The CA directory (ca.pem, ca-key.pem).") var ca: String
    @Option(name: .customLong("request"), help: "A node's request.json (repeat for every node).") var requests: [String] = []
    @Option(help: "Output directory for the certificates and manifest.json.") var out: String
    @Option(help: "t of the federation's key among the holders (default: the least t > n/2).") var threshold: Int?
    @Option(help: "Comma-separated participant ids holding the federation's key (default: every participant).") var committee: String?
    @Option(help: "Node certificate validity in days.") var days: Int = 825
    @Flag(help: "Replace an existing output.") var force = false

    func run() throws {
        guard !requests.isEmpty else { throw ValidationError("give at least one --request R.json") }
        guard (1...36500).contains(days) else { throw ValidationError("--days must be 1...36500") }
        let authority = try CertificateAuthority.load(directory: ca)
        let verified = try requests.map { try EnrollmentRequest.load(path: $0) }
        let now = Date()
        var rng = SystemRandom()
        let signed = try authority.signFederation(requests: verified, threshold: threshold, committee: committee.map(splitList),
                                                  notBefore: now.addingTimeInterval(-3600),
                                                  notAfter: now.addingTimeInterval(Double(days) * 86400), using: &rng)
        try Enrollment.writeSigned(signed, directory: out, force: force)
        let m = signed.manifest
        print("federation \(m.federation): \(m.members.count) members signed by CA \(m.caFingerprint)")
        for member in m.members {
            let place = member.role.hasCertificate ? "\(out)/\(member.id)/\(KeyLayout.certificate) " : ""
            print("  \(member.role.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(member.id): \(place)fingerprint \(member.certFingerprint ?? "(no certificate: a dealer never connects)")")
        }
        print("  holders: \(m.holders.joined(separator: ", "))\(m.committee == nil ? " (every participant)" : " (committee)")")
        print("  " + ThresholdRule.summary(threshold: m.threshold, holders: m.holders.count))
        if m.coordinator == nil { print("  note: no coordinator yet; nodes will not run until a manifest with one is installed") }
        print("  manifest \(out)/\(KeyLayout.manifest), epoch \(try m.epoch.hex)")
        print("Give each node its cert.pem and manifest.json: tessera keys install --keys DIR --certificate \(out)/ID/cert.pem --manifest \(out)/\(KeyLayout.manifest)")
    }
}

/// `tessera keys install`: at the node.
struct KeysInstall: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "install",
        abstract: "At a node: check and install its certificate, the signed manifest and (optionally) the Paillier dealing beside its keys.")

    @Option(help: "The node's key directory (from tessera keys request).") var keys: String
    @Option(help: "The node's certificate from the CA operator (not for a dealer).") var certificate: String?
    @Option(help: "The signed manifest.json.") var manifest: String
    @Option(help: "paillier-dealing.json from the dealer.") var dealing: String?

    func run() throws {
        let result = try NodeInstall.install(keys: keys, certificate: certificate, manifest: manifest, dealing: dealing)
        print("\(result.role.rawValue) \(result.id): installed in \(keys): \(result.written.joined(separator: ", "))")
        print("  federation \(result.manifest.federation), CA \(result.manifest.caFingerprint), epoch \(try result.manifest.epoch.hex)")
        if let index = result.shareIndex { print("  Paillier share \(index) opened and checked against its verification key") }
        if result.manifest.coordinator == nil { print("  note: the manifest lists no coordinator; this node will not run against it") }
    }
}

/// `tessera keys deal`: at the dealer.
struct KeysDeal: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deal",
        abstract: "At the dealer: generate the threshold Paillier key, seal each share to its holder, write the signed paillier-dealing.json.",
        discussion: """
        The dealer is an enrolled member with role dealer (tessera keys request --role dealer); \
        its keys are in --keys. p, q and the shares exist only in this process: the output \
        directory receives paillier-dealing.json alone, with every share sealed (X25519, \
        crypto_box_seal) to its holder's sealing key. Privacy under the Paillier scheme needs \
        the dealer not to collude with the coordinator.
        """)

    @Option(help: "The dealer's key directory (signing.key, sealing.key, request.json).") var keys: String
    @Option(help: "The signed manifest.json.") var manifest: String
    @Option(help: "t of the Paillier key among the manifest's holders (t > n/2).") var threshold: Int
    @Option(help: "Output directory for paillier-dealing.json.") var out: String
    @Option(help: "Paillier modulus size in bits.") var bits: Int = 2048
    @Flag(help: "Replace an existing paillier-dealing.json.") var force = false

    func run() throws {
        let own = try OwnNodeKeys.load(directory: keys)
        guard own.role == .dealer else {
            throw ValidationError("\(keys) holds the keys of \(own.role.rawValue) \(own.id), not of a dealer")
        }
        let m = try FederationManifest.load(path: manifest)
        let pinned = keys + "/" + KeyLayout.caCertificate
        if FileManager.default.fileExists(atPath: pinned) {
            let installed = try FederationKeys.load(directory: keys)
            guard installed.manifest.caFingerprint == m.caFingerprint else {
                throw ValidationError("\(manifest) is signed by CA \(m.caFingerprint), the dealer is enrolled with CA \(installed.manifest.caFingerprint)")
            }
        }
        try ThresholdRule.check(threshold: threshold, holders: m.holders.count)
        if bits < 2048 { note("WARNING: a \(bits)-bit Paillier modulus is for tests only; use at least 2048 bits.") }
        note("generating a \(bits)-bit threshold Paillier key (\(threshold) of \(m.holders.count) holders)…")
        var keyRNG = SystemRandom(), sealRNG = SystemRandom()
        let dealing = try PaillierDealer.deal(manifest: m, dealerID: own.id, signingKey: own.signingKey, threshold: threshold,
                                              bits: bits, keyRandom: &keyRNG, sealRandom: &sealRNG)
        try Enrollment.writeDealing(dealing, directory: out, force: force)
        print("dealer \(own.id): Paillier key \(dealing.publicKey.keyID) dealt for federation \(m.federation), epoch \(dealing.epoch)")
        for share in dealing.shares { print("  share \(share.index) sealed to \(share.participant)") }
        print("  " + ThresholdRule.summary(threshold: threshold, holders: m.holders.count))
        print("  written: \(out)/\(KeyLayout.dealing) (public; no unsealed share or factor of n was written anywhere)")
        print("Give it to every node: tessera keys install --keys DIR --certificate CERT --manifest \(manifest) --dealing \(out)/\(KeyLayout.dealing)")
    }
}

/// `tessera keys init`: a TEST federation in one place (see `KeyCeremony`).
struct KeysInit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init",
        abstract: "TEST federations only: generate a whole federation in one place from a public --seed.",
        discussion: """
        Whoever runs this holds every secret of the federation, so it requires --seed and \
        marks the result as TEST keys. For a real federation each node runs tessera keys \
        request, the CA operator tessera keys ca init and tessera keys sign, the dealer \
        tessera keys deal, and each node tessera keys install (README, "Real deployment").
        """)

    @Option(help: "Federation name (1-40 of A-Za-z0-9._-).") var federation: String
    @Option(help: "Comma-separated participant ids (each ^[a-z0-9][a-z0-9-]{0,62}$).") var participants: String
    @Option(help: "t of n holders needed to decrypt (t > n/2).") var threshold: Int
    @Option(help: "Output directory.") var out: String
    @Option(help: "Public seed: every key is reproducible from it (required: TEST federations only).") var seed: UInt64?
    @Option(help: "Comma-separated participant ids forming the decryption committee (default: every participant).") var committee: String?
    @Option(help: "Paillier modulus size in bits.") var bits: Int = 2048
    @Option(help: "Certificate validity in days.") var days: Int = 825
    @Flag(help: "Overwrite an existing federation's files.") var force = false
    @Flag(help: "Also enroll the demonstration principals of the job API: operator, analyst, auditor and a steward-ID per participant.") var principals = false

    func run() throws {
        guard let seed else {
            throw ValidationError("tessera keys init generates every node's secrets in one place, so it is for TEST federations only and needs --seed. For a real federation, each node runs 'tessera keys request', the CA operator 'tessera keys ca init' and 'tessera keys sign', the dealer 'tessera keys deal', and each node 'tessera keys install' (README, \"Real deployment\").")
        }
        let options = KeyCeremony.Options(federation: federation, participants: splitList(participants), threshold: threshold,
                                          committee: committee.map(splitList), bits: bits, validityDays: days, seed: seed, force: force,
                                          principals: principals ? KeyCeremony.Principal.standard(participants: splitList(participants)) : [])
        do { try KeyCeremony.validate(options) } catch { throw ValidationError("\(error)") }
        try KeyCeremony.refuseOverwrite(options, directory: out)
        note("WARNING: --seed \(seed) makes every key reproducible; this is a TEST federation whose private keys are public.")
        note("generating a \(bits)-bit threshold Paillier key (\(threshold) of \(options.holders.count)), the CA and \(options.participants.count + 2) nodes' keys…")
        let output = try KeyCeremony.run(options, directory: out)
        let m = output.manifest
        print("TEST federation \(m.federation): \(m.participants.count) participants, written to \(out)")
        for file in output.files { print("  \(file.secret ? "0600 secret" : "0644 public") \(file.path)") }
        print("  CA fingerprint (SHA-256) \(m.caFingerprint)")
        print("  holders: \(m.holders.joined(separator: ", "))")
        print("  " + ThresholdRule.summary(threshold: m.threshold, holders: m.holders.count))
    }
}
