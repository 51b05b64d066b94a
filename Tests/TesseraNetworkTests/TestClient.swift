import Foundation
import NIOCore
import NIOSSL
import TesseraCrypto
import TesseraMath
import TesseraNode
import TesseraProtocol
import TesseraRandom
import TesseraSchemes
import TesseraTransport

/// An in-process participant driven step by step by a test, with the real keys of a test
/// federation member, so that it can send what an honest participant never would.
final class TestClient: @unchecked Sendable {
    let node: ParticipantNode
    var sequence: UInt64 = 0
    var rng = ChaCha20DRBG(seed: Seed(99))
    var pending: [Tessera_V1_Body] = []
    let inbound: NIOAsyncChannelInboundStream<Frame>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    init(node: ParticipantNode, inbound: NIOAsyncChannelInboundStream<Frame>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.node = node
        self.inbound = inbound
        self.outbound = outbound
    }

    static func with<T>(_ id: String, port: Int, _ body: (TestClient) async throws -> T) async throws -> T {
        let node = try NodeKeys.participant(directory: testKeys, id: id)
        let connection = try await TransportClient.connect(host: "127.0.0.1", port: port, serverName: "localhost", tls: try node.tls.clientContext())
        return try await connection.channel.executeThenClose { inbound, outbound in
            try await body(TestClient(node: node, inbound: inbound.makeAsyncIterator(), outbound: outbound))
        }
    }

    func envelope(_ payload: Tessera_V1_Body.OneOf_Payload, job: String = "", round: Int = 0, sender: String? = nil) throws -> Data {
        // Hello and status are unsequenced (protocol/README.md §3).
        let sequenced = Outbox.isSequenced(payload)
        if sequenced { sequence += 1 }
        var body = Tessera_V1_Body()
        body.federation = node.federation.name
        body.sender = sender ?? node.id
        body.jobID = job
        body.round = UInt32(round)
        body.sequence = sequenced ? sequence : 0
        body.payload = payload
        return try SignedEnvelope.seal(body, with: node.signingKey).serializedData()
    }

    func send(_ data: Data) async throws {
        var buffer = ByteBufferAllocator().buffer(capacity: data.count)
        buffer.writeBytes(data)
        try await outbound.write(buffer)
    }

    @discardableResult
    func send(_ payload: Tessera_V1_Body.OneOf_Payload, job: String = "", round: Int = 0) async throws -> Data {
        let data = try envelope(payload, job: job, round: round)
        try await send(data)
        return data
    }

    /// The next coordinator message satisfying `predicate` (earlier others are kept in order).
    func next(timeout: Double = 60, where predicate: (Tessera_V1_Body) -> Bool) async throws -> Tessera_V1_Body {
        if let i = pending.firstIndex(where: predicate) { return pending.remove(at: i) }
        var iterator = inbound
        defer { _ = iterator }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard let frame = try await iterator.next() else { throw TestFailure("connection closed while waiting") }
            guard case .message(let buffer) = frame else { throw TestFailure("oversize frame from coordinator") }
            let body = try SignedEnvelope.open(try Tessera_V1_Envelope.parse(Data(buffer.readableBytesView)),
                                               expectedSender: FederationInfo.coordinatorID, federation: node.federation)
            if predicate(body) { return body }
            pending.append(body)
        }
        throw TestFailure("timed out")
    }

    /// The coordinator's status answer to our message with `sequence` (default: the last sent).
    func status(for sequence: UInt64? = nil, timeout: Double = 60) async throws -> Tessera_V1_Status {
        let wanted = sequence ?? self.sequence
        let body = try await next(timeout: timeout) {
            if case .status(let s) = $0.payload { return s.ackedSequence == wanted || s.ackedSequence == 0 }
            return false
        }
        guard case .status(let s) = body.payload else { fatalError() }
        return s
    }

    /// The federation's dealt Paillier key (the committed test federations have one).
    var paillierKey: ThresholdPublicKey {
        get throws {
            guard let key = node.federation.thresholdKey else { throw TestFailure("the test federation has no Paillier dealing") }
            return key
        }
    }

    func encryptSubmission(values: [Int64], spec: Tessera_V1_JobSpec, dropLast: Bool = false) throws -> Tessera_V1_Submission {
        let key = try paillierKey.paillier
        let plan = try PaillierScheme.plan(for: spec, key: try paillierKey)
        let encryptor = PaillierEncryptor(publicKey: key, windowBits: 4)
        var cts = try SlotPacker(plan: plan).pack(values).map { CiphertextCoding.encode(try encryptor.encrypt($0, using: &rng), key: key) }
        if dropLast { cts.removeLast() }
        return .with { $0.ciphertexts = cts }
    }

    func partials(for request: Tessera_V1_DecryptionRequest, corrupt: Bool = false) throws -> Tessera_V1_PartialDecryptions {
        let key = try paillierKey
        guard let share = node.paillierShare else { throw TestFailure("\(node.id) holds no Paillier share") }
        let cts = try request.ciphertexts.enumerated().map { try CiphertextCoding.decode($1, key: key.paillier, index: $0) }
        var encoded = CiphertextCoding.encode(try share.partialDecrypt(cts, using: &rng), key: key.paillier)
        if corrupt { encoded.response = Data((BigInt(bigEndian: encoded.response) + 1).bigEndianBytes()) }
        return encoded
    }
}
