import Foundation
import NIOCore
import TesseraAudit
import TesseraCoordinator
import TesseraData
import TesseraGroup
import TesseraKeys
import TesseraParticipant
import TesseraProtocol
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
    ]

    public static func named(_ name: String) -> Target? { all.first { $0.name == name } }

    // MARK: - Targets

    /// The framing as the decoder runs it: bytes arriving in chunks (the first byte chooses
    /// their size, so that frames split across reads are covered) appended to one buffer, every
    /// complete frame taken out after each chunk (`FrameDecoder` adds only its timers to this).
    static func frame(_ data: Data) {
        let limit = 1 << 16, chunk = max(1, Int(data.first ?? 1))
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

    /// Loaders that read a path: the bytes are written to a scratch file first.
    static func file(_ name: String, _ load: @escaping @Sendable (String) throws -> Void) -> @Sendable (Data) -> Void {
        { data in
            let path = NSTemporaryDirectory() + "tessera-fuzz-\(getpid())-\(name)"
            guard FileManager.default.createFile(atPath: path, contents: data) else { return }
            defer { try? FileManager.default.removeItem(atPath: path) }
            try? load(path)
        }
    }

    static func transcript(_ data: Data) {
        let decoder = JSONDecoder()
        let entries = data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(Transcript.Entry.self, from: Data($0)) }
        guard !entries.isEmpty else { return }
        let auditor = Auditor(federation: federation, parallelism: .init(threads: 1))
        let done = DispatchSemaphore(value: 0)
        Task { _ = try? await auditor.audit(entries); done.signal() }
        done.wait()
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
}
