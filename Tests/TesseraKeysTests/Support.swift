import Foundation
import TesseraCrypto
import TesseraKeys
import TesseraRandom

/// Shared fixtures: 512-bit Paillier keys (fast), from fixed seeds so failures reproduce.
/// Tests that modify files copy a directory or make their own.
enum Fixtures {
    static let participants = ["brand-a", "brand-b", "brand-c"]

    /// TEST federations in the federation layout (`tessera keys init`).
    static let main: String = try! ceremony(seed: 7001)
    static let other: String = try! ceremony(seed: 7002)

    /// A federation enrolled by request/sign/deal/install, every node in its own directory.
    static let enrolled: Enrolled = try! Enrolled.make()

    static func ceremony(seed: UInt64, federation: String = "unit", participants: [String] = participants,
                         threshold: Int = 2, committee: [String]? = nil, now: Date = Date(), in directory: String? = nil) throws -> String {
        let dir = directory ?? temporaryDirectory()
        try KeyCeremony.run(.init(federation: federation, participants: participants, threshold: threshold, committee: committee,
                                  bits: 512, seed: seed, now: now), directory: dir)
        return dir
    }

    /// A fresh copy of `directory` that a test may tamper with.
    static func copy(_ directory: String) throws -> String {
        let dir = temporaryDirectory()
        try FileManager.default.removeItem(atPath: dir)
        try FileManager.default.copyItem(atPath: directory, toPath: dir)
        return dir
    }
}

/// The real enrollment flow, each party in its own directory under `root`:
/// nodes/ID (each node's keys, then its installed files), ca/ (the CA operator), signed/
/// (the CA's output), dealing/ (the dealer's output).
struct Enrolled {
    let root: String
    let participants: [String]
    var nodes: [String: String] = [:]
    var ca: String { root + "/ca" }
    var signed: String { root + "/signed" }
    var dealingDirectory: String { root + "/dealing" }
    var manifest: String { signed + "/manifest.json" }
    var dealing: String { dealingDirectory + "/paillier-dealing.json" }
    func node(_ id: String) -> String { nodes[id]! }
    func certificate(_ id: String) -> String { signed + "/" + id + "/cert.pem" }
    func request(_ id: String) -> String { node(id) + "/request.json" }

    static let dealerID = "dealer"

    /// Requests for every node (coordinator, participants, dealer), a CA, signing, dealing
    /// and install; `install: false` stops after dealing.
    static func make(participants: [String] = Fixtures.participants, committee: [String]? = nil, threshold: Int? = nil,
                     paillierThreshold: Int = 2, install: Bool = true) throws -> Enrolled {
        var e = Enrolled(root: temporaryDirectory(), participants: participants)
        var rng = SystemRandom()
        let roles: [(String, NodeRole)] = [("coordinator", .coordinator)] + participants.map { ($0, .participant) } + [(dealerID, .dealer)]
        for (id, role) in roles {
            let dir = e.root + "/nodes/" + id
            let (request, material) = try EnrollmentRequest.generate(
                federation: "enrolled", id: id, role: role,
                dnsNames: role == .coordinator ? ["localhost"] : [], ipAddresses: role == .coordinator ? ["127.0.0.1", "::1"] : [],
                using: &rng)
            try Enrollment.writeNode(material, request: request, directory: dir)
            e.nodes[id] = dir
        }
        let now = Date()
        let authority = try CertificateAuthority.create(federation: "enrolled", notBefore: now.addingTimeInterval(-3600),
                                                        notAfter: now.addingTimeInterval(86400), using: &rng)
        try Enrollment.writeCA(authority, directory: e.ca)
        try e.sign(threshold: threshold, committee: committee)
        try e.deal(threshold: paillierThreshold)
        if install { try e.installAll() }
        return e
    }

    func sign(threshold: Int? = nil, committee: [String]? = nil, ids: [String]? = nil, out: String? = nil) throws {
        var rng = SystemRandom()
        let ca = try CertificateAuthority.load(directory: ca)
        let requests = try (ids ?? nodes.keys.sorted()).map { try EnrollmentRequest.load(path: request($0)) }
        let now = Date()
        let signed = try ca.signFederation(requests: requests, threshold: threshold, committee: committee,
                                           notBefore: now.addingTimeInterval(-3600), notAfter: now.addingTimeInterval(86400), using: &rng)
        try Enrollment.writeSigned(signed, directory: out ?? self.signed, force: true)
    }

    func deal(threshold: Int, out: String? = nil) throws {
        let own = try OwnNodeKeys.load(directory: node(Self.dealerID))
        let manifest = try FederationManifest.load(path: manifest)
        var keyRNG = SystemRandom(), sealRNG = SystemRandom()
        let dealing = try PaillierDealer.deal(manifest: manifest, dealerID: own.id, signingKey: own.signingKey, threshold: threshold,
                                              bits: 512, keyRandom: &keyRNG, sealRandom: &sealRNG)
        try Enrollment.writeDealing(dealing, directory: out ?? dealingDirectory, force: true)
    }

    func install(_ id: String) throws {
        try NodeInstall.install(keys: node(id), certificate: id == Self.dealerID ? nil : certificate(id), manifest: manifest, dealing: dealing)
    }

    func installAll() throws { for id in nodes.keys.sorted() { try install(id) } }
}

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-keys-tests-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func mode(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
}

func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

func write(_ text: String, to path: String) throws {
    try? FileManager.default.removeItem(atPath: path)
    try text.write(toFile: path, atomically: false, encoding: .utf8)
}

/// Every regular file under `directory`, recursively (absolute paths).
func files(under directory: String) -> [String] {
    let fm = FileManager.default
    guard let items = fm.enumerator(atPath: directory) else { return [] }
    return items.compactMap { item -> String? in
        let path = directory + "/" + (item as! String)
        var isDirectory: ObjCBool = false
        return fm.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue ? path : nil
    }.sorted()
}

/// A file's names and contents (relative path → bytes), to check that a refusal wrote nothing.
func snapshot(_ directory: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for path in files(under: directory) { out[String(path.dropFirst(directory.count))] = try Data(contentsOf: URL(fileURLWithPath: path)) }
    return out
}

/// Runs /usr/bin/openssl; returns its exit status and combined output.
func openssl(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Node directories of a TEST federation: the coordinator's and each participant's.
func nodeDirectories(_ dir: String, participants: [String] = Fixtures.participants) -> [(id: String, path: String)] {
    [("coordinator", dir + "/coordinator")] + participants.map { ($0, dir + "/participants/" + $0) }
}

/// The error a throwing call raised, described (for checking that it names a file).
func failure(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}

/// A JSON file as a mutable dictionary, and back (pretty, sorted, like the writers).
func jsonObject(_ path: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
}

func writeJSON(_ object: [String: Any], to path: String) throws {
    try? FileManager.default.removeItem(atPath: path)
    try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        .write(to: URL(fileURLWithPath: path))
}
