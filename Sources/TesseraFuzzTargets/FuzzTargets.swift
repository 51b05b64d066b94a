import Foundation
import GRDB
import HummingbirdCore
import NIOCore
import TesseraAudit
import TesseraCoordinator
import TesseraCrypto
import TesseraData
import TesseraGroup
import TesseraKeys
import TesseraParticipant
import TesseraProtocol
import TesseraRandom
import TesseraSchemes
import TesseraService
import TesseraSimulation
import TesseraState
import TesseraTransport

/// Every decoder that reads bytes from outside, as a fuzz target: bytes in, and either a value
/// or a thrown error out; a trap, a hang or a leak is the bug. `scripts/fuzz TARGET` runs one
/// under libFuzzer (coverage-guided, AddressSanitizer); `FuzzCorpusTests` runs every target over
/// its committed corpus (`Fuzz/corpus/TARGET/`) and seeded mutations of it on every test run.
public enum FuzzTargets {
    public struct Target: Sendable {
        public let name: String
        /// What the target feeds: the decoders reached from these bytes.
        public let summary: String
        public let run: @Sendable (Data) -> Void
    }

    /// The committed TEST federation, whose keys the envelope and audit targets check against.
    nonisolated(unsafe) static var keysDirectory = ProcessInfo.processInfo.environment["TESSERA_FUZZ_KEYS"] ?? "keys/test"
    static let federation: FederationInfo = {
        do { return try FederationKeys.load(directory: keysDirectory).federationInfo } catch {
            fatalError("fuzz targets need the TEST federation at \(keysDirectory) (set TESSERA_FUZZ_KEYS): \(error)")
        }
    }()

    public static func use(keys directory: String) { keysDirectory = directory }

    public static let all: [Target] = [
        Target(name: "frame", summary: "the frame reader (length prefix, limit) on a byte stream in arbitrary chunks", run: frame),
        Target(name: "envelope", summary: "Envelope and Body parsing, sender lookup and signature check against the manifest", run: envelope),
        Target(name: "body", summary: "every message type's Body, and the checks on the payloads that need no signature (job specs, DKG dealings, key shares)", run: body),
        Target(name: "job-file", summary: "job files and API job bodies (JSON) to a signed spec's draft and its rules", run: jobFile),
        Target(name: "policy", summary: "a participant's policy file (JSON)", run: json(LocalPolicy.self)),
        Target(name: "scenario", summary: "scenario files (JSON)", run: json(Scenario.self)),
        Target(name: "manifest", summary: "a federation manifest file, its fields and its CA signature", run: file("manifest.json") { try FederationManifest.load(path: $0) }),
        Target(name: "order-csv", summary: "order CSV files, row by row, with invalid rows skipped and counted", run: file("orders.csv") { path in
            _ = try OrderCSVReader(path: path).forEach(onInvalid: { _ in true }) { _ in }
        }),
        Target(name: "transcript", summary: "exported transcript lines (JSONL) and their audit", run: transcript),
        Target(name: "ristretto", summary: "ristretto255 encodings, DKG dealings and ElGamal key shares", run: ristretto),
        Target(name: "steward-body", summary: "the API's steward decision body (JSON with a base64 signed envelope)", run: steward),
        Target(name: "masked-update", summary: "a one-shot submission (masked vector and signed key layer) through the coordinator's scheme check for a vector-sum job of the TEST federation: lengths, signature and binding, masked hash, points, randomness proof", run: maskedUpdate),
        Target(name: "key-layer-proof", summary: "key layers (Body.key_layer: points and randomness proof) and partial decryptions (Body.partial_decryptions: shares and batched Chaum–Pedersen proof) through the one-shot scheme's decoders, verified against the ElGamal known-answer vectors", run: keyLayerProof),
        Target(name: "enrollment", summary: "enrollment requests (request.json: fields, self-signature, CSR) and node key files (signing, sealing and TLS key PEM; threshold Paillier key and share JSON)", run: enrollment),
        Target(name: "sqlite-rows", summary: "rows of an SQLite orders table with values of every storage class, read back by SQLiteOrderSource with invalid rows skipped", run: sqliteRows),
        Target(name: "api-body", summary: "the job API's request bodies as its handlers decode them: a proposed job (JSON object, coordinator's checks with and without the federation key) and a steward's decision (signed envelope)", run: apiBody),
        Target(name: "api-query", summary: "a job API request target (path and query) as Hummingbird parses it, with the listing's limit and after cursor and the result's format read from it", run: apiQuery),
        Target(name: "paillier-dealing", summary: "paillier-dealing.json: decoded and its structure checked against the TEST manifest, as signed and re-signed with the TEST dealer's key (so that mutations get past the signature to the holders, indices, threshold rule and sealed shares)", run: paillierDealing),
    ]

    public static func named(_ name: String) -> Target? { all.first { $0.name == name } }

    // MARK: - Targets

    /// The framing as the decoder runs it: bytes arriving in chunks (the first byte chooses
    /// their size, so that frames split across reads are covered) appended to one buffer, every
    /// complete frame taken out after each chunk (`FrameDecoder` adds only its timers to this).
    /// At most 64 chunks per input: a large input in one-byte reads cost thousands of buffer
    /// writes and said nothing more about where a frame may be split.
    static func frame(_ data: Data) {
        let limit = 1 << 16, chunk = max(1, Int(data.first ?? 1), (data.count + 63) / 64)
        var buffer = ByteBufferAllocator().buffer(capacity: data.count)
        var offset = data.startIndex, total = 0
        outer: while offset < data.endIndex {
            let end = min(data.endIndex, offset + chunk)
            buffer.writeBytes(data[offset..<end])
            offset = end
            while let frame = FrameDecoder.next(&buffer, limit: limit) {
                switch frame {
                case .message(let payload): total += payload.readableBytes
                case .oversize: break outer
                }
            }
            buffer.discardReadBytes()
        }
        precondition(total <= data.count, "frames hold more bytes than arrived")
    }

    static func envelope(_ data: Data) {
        guard let envelope = try? Tessera_V1_Envelope.parse(data) else { return }
        let federation = self.federation
        _ = try? SignedEnvelope.open(envelope) { id in federation.participants[id]?.signingKey ?? federation.principals[id]?.signingKey }
    }

    static func body(_ data: Data) {
        guard let body = try? Tessera_V1_Body(serializedBytes: data) else { return }
        switch body.payload {
        case .jobSpec(let spec): try? JobSpecRules.validate(spec, federation: federation)
        case .dkgDeal(let deal):
            _ = try? Dealing.decodeCommitments([UInt8](deal.commitments), keys: 2, threshold: 2, dealer: 1)
        case .keyLayer(let layer):
            let points = [UInt8](layer.randomness + layer.values)
            var i = 0
            while i + 32 <= points.count, i < 32 * 16 { _ = try? GroupElement(encoded: points[i..<i + 32]); i += 32 }
        default: _ = body.kind
        }
    }

    static func jobFile(_ data: Data) {
        guard let definition = try? JSONDecoder().decode(JobDefinition.self, from: data) else { return }
        _ = try? definition.privacyDemand(federation: federation)
        if definition.scheme == "one-shot" { try? definition.validateBeforeKey(federation: federation) } else {
            _ = try? definition.spec(federation: federation)
        }
    }

    static func json<T: Decodable>(_ type: T.Type) -> @Sendable (Data) -> Void {
        { data in _ = try? JSONDecoder().decode(T.self, from: data) }
    }

    /// Loaders that read a path: the bytes are written to one scratch file per target and
    /// process (rewritten in place for every input, removed when the process exits).
    static func file(_ name: String, _ load: @escaping @Sendable (String) throws -> Void) -> @Sendable (Data) -> Void {
        let path = NSTemporaryDirectory() + "tessera-fuzz-\(getpid())-\(name)"
        scratch.append(path)
        return { data in
            guard write(data, to: path) else { return }
            try? load(path)
        }
    }

    nonisolated(unsafe) static var scratch: [String] = { atexit { for path in FuzzTargets.scratch { unlink(path) } }; return [] }()

    /// Replaces `path`'s contents with `data` (open, write, close: no Foundation file objects).
    static func write(_ data: Data, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
    }

    /// Runs async checks to completion from the synchronous fuzz entry point. The task starts
    /// on this thread (`Task.immediate`), and checks with `Parallelism.serial` never suspend:
    /// the whole input runs, and its memory is freed, before this returns. (A task on another
    /// thread freed its memory after the signal, so libFuzzer saw more mallocs than frees and
    /// ran a leak check after nearly every input.)
    static func blocking(_ work: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        Task.immediate { await work(); done.signal() }
        done.wait()
    }

    static func transcript(_ data: Data) {
        let decoder = JSONDecoder()
        let entries = data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(Transcript.Entry.self, from: Data($0)) }
        guard !entries.isEmpty else { return }
        blocking { _ = try? await Auditor(federation: federation, parallelism: .init(threads: 1)).audit(entries) }
    }

    static func ristretto(_ data: Data) {
        let bytes = [UInt8](data)
        var i = 0
        while i + 32 <= bytes.count, i < 32 * 8 {
            _ = try? GroupElement(encoded: bytes[i..<i + 32])
            i += 32
        }
        _ = try? Dealing(serialized: bytes)
        _ = try? ElGamalKeyShare(serialized: bytes)
    }

    static func steward(_ data: Data) {
        _ = try? APIServer.stewardEnvelope(data, job: "fuzz", signer: "steward-brand-a", federation: federation)
    }

    // MARK: - Paillier dealing

    /// The TEST federation's manifest and its dealer's signing key (public fixtures): a mutated
    /// dealing re-signed with the dealer's key reaches every check after the signature.
    static let dealingKeys: (manifest: FederationManifest, dealer: SigningKey) = {
        do {
            return (try FederationKeys.load(directory: keysDirectory).manifest,
                    try NodeKeyFiles.signingKey(path: keysDirectory + "/dealer/signing.key"))
        } catch { fatalError("no TEST dealer keys at \(keysDirectory): \(error)") }
    }()

    static func paillierDealing(_ data: Data) {
        guard let dealing = try? PaillierDealing.decode(data, path: "paillier-dealing.json") else { return }
        let (manifest, dealer) = dealingKeys
        _ = try? dealing.checkStructure(against: manifest, path: "paillier-dealing.json")
        guard let resigned = try? dealing.signed(with: dealer) else { return }
        _ = try? resigned.checkStructure(against: manifest, path: "paillier-dealing.json")
        // The dealing's public key is a threshold key file, the `enrollment` target's, whose parse
        // costs a full-size exponentiation (13 ms here): not repeated for every dealing. Nor is
        // `openShare`: a mutated sealed box fails to open (authenticated encryption, SealingTests),
        // and an intact one costs another to check the share against its verification key.
    }

    // MARK: - Job API request targets

    /// Jobs for the listing's pager: ids that a cursor can name, or miss.
    static let listedJobs: [Coordinator.JobSummary] = (1...5).map { i in
        Coordinator.JobSummary(id: "job-\(i)", kind: "vector-sum", scheme: "one-shot", status: "done", proposer: "analyst", purpose: nil,
                               readers: ["analyst"], participants: ["brand-a", "brand-b"], epsilon: nil, delta: nil, rounds: 1, released: 1,
                               decisions: [:])
    }

    /// A request target as the API server receives it: parsed by Hummingbird's `URI`, its path
    /// split and percent-decoded as the router's `:id`/`:brand` parameters are, and the query
    /// parameters the handlers read (`limit`, `after` through the listing's pager, `format`).
    static func apiQuery(_ data: Data) {
        let uri = URI(String(decoding: data, as: UTF8.self))
        for component in uri.path.split(separator: "/") { _ = component.removingPercentEncoding }
        let query = uri.queryParameters
        if let page = try? APIServer.page(listedJobs, limit: query.get("limit"), after: query.get("after")) {
            precondition(page.jobs.count <= listedJobs.count && (page.next == nil || page.jobs.last?.id == page.next), "a page beyond the listing")
        }
        _ = query.get("format") == "csv"
        _ = uri.query
    }

    // MARK: - One-shot submissions

    /// A one-shot vector-sum job of the TEST federation, as the coordinator holds it while it
    /// collects submissions: the federation key of a DKG run by the DKG's own dealing code on
    /// fixed seeds (`FuzzSeeds` submits with the same key), the spec the coordinator makes of
    /// the job file with that key (`JobDefinition.spec`), and the scheme `SchemeRules` gives it.
    public struct OneShotJob: Sendable {
        public let key: FederationKey
        public let spec: Tessera_V1_JobSpec
        public let scheme: Scheme
        public let context: RoundContext
        /// The participant whose submissions the target checks (its session's identity).
        public let sender = "brand-a"
    }

    public static let oneShotJob: OneShotJob = {
        do {
            let federation = FuzzTargets.federation
            let p = DKGRules.Parameters(federation)
            let seed = Seed(bytes: Blake2b.hash(Array("tessera/fuzz/one-shot-job/v1".utf8), outputLength: 32))
            let commitments = try p.holders.map { holder in
                var rng = ChaCha20DRBG(seed: seed.derive("dkg/dealing/\(holder)"))
                return try Dealing.create(threshold: p.threshold, holders: p.holders.count, keys: p.keys, using: &rng).commitments
            }
            let key = try FederationKey(epoch: federation.epoch, holders: p.holders, qualified: p.holders, threshold: p.threshold,
                                        dealerCommitments: commitments)
            let job = JobDefinition(id: "fuzz-one-shot", vectorLength: 16, valueBound: 1_000_000, minParticipants: 2)
            let spec = try job.spec(federation: federation, federationKey: key)
            let scheme = try SchemeRules.scheme(for: spec, federation: federation, keys: SchemeKeys(federationKeys: [key]))
            return OneShotJob(key: key, spec: spec, scheme: scheme,
                              context: RoundContext(federation: federation, job: job.id, round: 1, spec: spec, parallelism: .serial))
        } catch {
            fatalError("the fuzz targets' one-shot job does not build: \(error)")
        }
    }()

    /// Body.submission's payload as the coordinator receives it from `brand-a` in round 1:
    /// `Scheme.check` (masked length, key layer's sender, signature and binding, masked hash,
    /// key-layer lengths, points, proof scalars, randomness proof).
    static func maskedUpdate(_ data: Data) {
        guard let submission = try? Tessera_V1_Submission(serializedBytes: data) else { return }
        let job = oneShotJob
        blocking { try? await job.scheme.check(submission, from: job.sender, context: job.context) }
    }

    // MARK: - Key layers and partial decryptions

    /// The ElGamal known-answer vectors (protocol/vectors/elgamal.json, regenerated from their
    /// seed): a public key of L = 2, two submissions' ciphertexts, contexts and randomness
    /// proofs, the aggregate and every holder's verification key and partial decryptions.
    public struct ElGamalFixture: Sendable {
        public let file: ElGamalVectors.File
        let publicKey: ElGamalPublicKey
        let verificationKeys: [Int: ElGamalVerificationKey]
        let aggregates: [GroupElement]
        let decryptionContext: [UInt8]
    }

    public static let elgamal: ElGamalFixture = {
        func bytes(_ hex: String) -> [UInt8] { [UInt8](hex: hex)! }
        func point(_ hex: String) -> GroupElement { try! GroupElement(encoded: bytes(hex)) }
        nonisolated(unsafe) var generated: ElGamalVectors.File?
        let seed = Seed(bytes: bytes("1e7956b158969ff7f9a83e93d84f8e05fda3c52e8a704e29ca0156bc40e4ad60"))
        blocking { generated = try? await ElGamalVectors.generate(seed: seed) }
        guard let file = generated else { fatalError("the ElGamal vectors do not generate") }
        let keys = Dictionary(uniqueKeysWithValues: file.keyShares.map { share in
            (share.index, try! ElGamalVerificationKey(index: share.index, points: share.verificationKey.map(point)))
        })
        return ElGamalFixture(file: file, publicKey: try! ElGamalPublicKey(keys: file.publicKey.map(point)), verificationKeys: keys,
                              aggregates: file.aggregate.map { point($0.c1) }, decryptionContext: bytes(file.decryptionContext))
    }()

    /// A Body: a key layer is decoded with the one-shot scheme's decoder in the shape of vector
    /// submission `round` mod 2 and its proof verified under that submission's context; partial
    /// decryptions are decoded for the vectors' aggregate and verified with the key of holder
    /// `holder_index` (holder 1's for an index no holder has).
    static func keyLayerProof(_ data: Data) {
        guard let body = try? Tessera_V1_Body(serializedBytes: data) else { return }
        let v = elgamal
        switch body.payload {
        case .keyLayer(let layer):
            let submission = v.file.submissions[Int(body.round) % v.file.submissions.count]
            guard let (ciphertexts, proof) = try? OneShotScheme.decodeKeyLayer(layer, groupSizes: submission.ciphertexts.map(\.c2.count),
                                                                               contributor: submission.sender) else { return }
            let context = [UInt8](hex: submission.context) ?? []
            blocking { try? await proof.verify(ciphertexts, publicKey: v.publicKey, context: context) }
        case .partialDecryptions(let answer):
            let index = Int(answer.holderIndex)
            guard let key = v.verificationKeys[index] ?? v.verificationKeys[1],
                  let partial = try? OneShotScheme.decodePartials(answer, holder: "holder \(index)", index: index,
                                                                 groups: v.aggregates.count, keys: v.publicKey.count) else { return }
            blocking { _ = try? await key.verify(partial, of: v.aggregates, context: v.decryptionContext) }
        default: return
        }
    }

    // MARK: - Enrollment and key files

    /// The same bytes as each file a node or the CA reads in an enrollment: a request (decoded
    /// as `EnrollmentRequest.read`, then verified as the CA does), the three secret key files
    /// (as `NodeKeyFiles` reads them after the mode check), and the threshold Paillier public
    /// key and key share files (`KeyFiles`; a share checked against the TEST federation's key).
    static func enrollment(_ data: Data) {
        if let request = try? EnrollmentRequest.decode(data, path: "request.json") { _ = try? request.verify(path: "request.json") }
        if let text = try? NodeKeyFiles.text(data, path: "key") {
            _ = try? NodeKeyFiles.signingKey(text, path: "signing.key")
            _ = try? NodeKeyFiles.sealingKey(text, path: "sealing.key")
            _ = try? NodeKeyFiles.tlsKey(text, path: "key.pem")
        }
        if let file = try? KeyFiles.decode(ThresholdKeyFile.self, from: data, path: "public-key.json", format: ThresholdKeyFile.format) {
            _ = try? file.publicKey(path: "public-key.json")
        }
        if let file = try? KeyFiles.decode(KeyShareFile.self, from: data, path: "share.json", format: KeyShareFile.format),
           let key = federation.thresholdKey {
            _ = try? file.share(for: key, path: "share.json")
        }
    }

    // MARK: - SQLite order rows

    /// One in-memory database with the orders table (`SQLiteOrderSource.schema`), reused:
    /// every input's rows are inserted and read back in a transaction that is rolled back.
    static let orderDatabase: DatabaseQueue = {
        do {
            let queue = try DatabaseQueue()
            try queue.write { try $0.execute(sql: SQLiteOrderSource.schema()) }
            return queue
        } catch { fatalError("no in-memory SQLite database: \(error)") }
    }()

    /// A cell of a fuzzed row: the first byte's residue mod 6 is the storage class.
    enum Cell {
        case null, integer(Int64), real(Double), text([UInt8]), blob([UInt8])
    }

    /// Rows of 8 cells from the bytes (at most 16): per cell a tag, then 0 (NULL), 1 (a small
    /// INTEGER, one signed byte), 8 (INTEGER or REAL, little-endian) or 1 + length bytes (TEXT,
    /// stored as given, so not necessarily UTF-8; or BLOB).
    static func rows(_ data: Data) -> [[Cell]] {
        var bytes = data[...]
        func byte() -> UInt8 { bytes.popFirst() ?? 0 }
        func word() -> UInt64 { (0..<8).reduce(0) { v, i in v | UInt64(byte()) << (8 * UInt64(i)) } }
        func run() -> [UInt8] { let n = Int(byte()); defer { bytes = bytes.dropFirst(n) }; return Array(bytes.prefix(n)) }
        var rows: [[Cell]] = []
        while !bytes.isEmpty, rows.count < 16 {
            rows.append((0..<8).map { _ in
                switch byte() % 6 {
                case 0: return .null
                case 1: return .integer(Int64(Int8(bitPattern: byte())))
                case 2: return .integer(Int64(bitPattern: word()))
                case 3: return .real(Double(bitPattern: word()))
                case 4: return .text(run())
                default: return .blob(run())
                }
            })
        }
        return rows
    }

    static func sqliteRows(_ data: Data) {
        let rows = rows(data)
        try? orderDatabase.inTransaction { db in
            for row in rows {
                var arguments: [(any DatabaseValueConvertible)?] = []
                let values = row.map { cell -> String in
                    switch cell {
                    case .null: arguments.append(nil); return "?"
                    case .integer(let v): arguments.append(v); return "?"
                    case .real(let v): arguments.append(v); return "?"
                    case .text(let v): arguments.append(Data(v)); return "CAST(? AS TEXT)"
                    case .blob(let v): arguments.append(Data(v)); return "?"
                    }
                }
                // At most 2^8 shapes of statement (a cell is either `?` or a cast): compiled once
                // each. The bindings are cleared after use: a cached statement would otherwise keep
                // this input's values alive from a static that LeakSanitizer cannot see.
                let insert = try db.cachedStatement(sql: "INSERT INTO orders VALUES (" + values.joined(separator: ", ") + ")")
                defer { insert.setUncheckedArguments([]) }
                try insert.execute(arguments: StatementArguments(arguments))
            }
            _ = try? SQLiteOrderSource.forEach(in: db, file: "orders.sqlite", onInvalid: { _ in true }) { _ in }
            return .rollback
        }
    }

    // MARK: - Job API bodies

    /// A request body as each job API handler that reads one decodes it: POST /v1/jobs
    /// (`APIServer.decodeJob`, then the coordinator's checks before it stores a job: the
    /// privacy demand, the checks without a federation key, and the whole spec with the
    /// one-shot job's key) and POST /v1/jobs/ID/decisions (`APIServer.stewardEnvelope`).
    static func apiBody(_ data: Data) {
        if let definition = try? APIServer.decodeJob(data) {
            _ = try? definition.privacyDemand(federation: federation)
            try? definition.validateBeforeKey(federation: federation)
            _ = try? definition.spec(federation: federation, federationKey: oneShotJob.key)
        }
        _ = try? APIServer.stewardEnvelope(data, job: "fuzz", signer: "steward-brand-a", federation: federation)
    }
}
