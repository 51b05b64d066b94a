import Foundation
import TesseraProtocol
import TesseraRandom

/// An `AggregationScheme` behind the boundary, for the code above it (participant,
/// coordinator, auditor), which does not know which scheme a job uses. Built from a concrete
/// scheme; its typed values (aggregates, verified answers) never leave it.
public struct Scheme: Sendable {
    public let name: String
    /// The key holders who can answer decryption requests, sorted.
    public let holders: [String]
    /// How many of them must answer.
    public let threshold: Int
    private let submitUpdate: @Sendable ([Int64], RoundContext, Outbox, RandomStreams) async throws -> Tessera_V1_Submission
    private let checkSubmission: @Sendable (Tessera_V1_Submission, String, RoundContext) async throws -> Void
    private let transcribe: @Sendable (Data, Tessera_V1_Submission) throws -> Data
    private let aggregateSubmissions: @Sendable ([(participant: String, submission: Tessera_V1_Submission)], RoundContext) async throws -> PendingAggregate
    private let respondTo: @Sendable (Tessera_V1_DecryptionRequest, RoundContext, RandomStreams, @Sendable (Data) throws -> Bool) async throws -> Tessera_V1_PartialDecryptions

    public init<S: AggregationScheme>(_ scheme: S) {
        name = S.name
        holders = scheme.holders
        threshold = scheme.threshold
        submitUpdate = { try await scheme.submit($0, context: $1, signer: $2, randomness: $3) }
        checkSubmission = { try await scheme.check($0, from: $1, context: $2) }
        transcribe = { try scheme.transcribed($0, submission: $1) }
        aggregateSubmissions = { submissions, context in
            let (aggregate, request) = try await scheme.aggregate(submissions, context: context)
            return PendingAggregate(scheme: scheme, aggregate: aggregate, request: request)
        }
        respondTo = { request, context, randomness, recordOnce in
            let admitted = try await scheme.admit(request, context: context)
            guard try recordOnce(scheme.digest(of: admitted)) else {
                throw ProtocolError(.refused, "already decrypted a different contributor set for round \(context.round) of job \(context.job)")
            }
            return try await scheme.answer(admitted, context: context, randomness: randomness)
        }
    }

    /// Participant: the submission for one round's update.
    public func submit(_ update: [Int64], context: RoundContext, signer: Outbox, randomness: RandomStreams) async throws -> Tessera_V1_Submission {
        try await submitUpdate(update, context, signer, randomness)
    }

    /// Coordinator: checks a submission before storing it.
    public func check(_ submission: Tessera_V1_Submission, from sender: String, context: RoundContext) async throws {
        try await checkSubmission(submission, sender, context)
    }

    /// What the transcript keeps of a stored submission envelope.
    public func transcribed(_ envelope: Data, submission: Tessera_V1_Submission) throws -> Data { try transcribe(envelope, submission) }

    /// Coordinator and auditor: the round's aggregate and the holders' request.
    public func aggregate(_ submissions: [(participant: String, submission: Tessera_V1_Submission)], context: RoundContext) async throws -> PendingAggregate {
        try await aggregateSubmissions(submissions, context)
    }

    /// Holder: checks the request, records its digest (`recordOnce` returns false when a
    /// different request was already answered for the round), and answers.
    public func respond(to request: Tessera_V1_DecryptionRequest, context: RoundContext, randomness: RandomStreams,
                        recordOnce: @escaping @Sendable (Data) throws -> Bool) async throws -> Tessera_V1_PartialDecryptions {
        try await respondTo(request, context, randomness, recordOnce)
    }
}

extension Tessera_V1_DecryptionRequest {
    /// What the transcript keeps of a request: everything but the contributors' key layers,
    /// which it holds already as their submissions.
    public var transcriptRecord: Tessera_V1_DecryptionRequest {
        var record = self
        record.keyLayers = []
        return record
    }
}

/// A holder's answer that verified against an aggregate; only `PendingAggregate.verify`
/// makes one, and only its own aggregate accepts it.
public struct VerifiedAnswer: Sendable {
    public let holder: String
    fileprivate let value: any Sendable
    fileprivate let aggregate: AggregateIdentity
}

/// Identifies one aggregate, so that an answer verified against it is combined only with it.
final class AggregateIdentity: Sendable {}

/// One round's aggregate, as the coordinator (or an auditor) holds it while answers arrive.
public struct PendingAggregate: Sendable {
    public let request: Tessera_V1_DecryptionRequest
    private let identity = AggregateIdentity()
    private let verifyAnswer: @Sendable (Tessera_V1_PartialDecryptions, String, RoundContext) async throws -> any Sendable
    private let releaseAnswers: @Sendable ([any Sendable], RoundContext) async throws -> [Int64]

    init<S: AggregationScheme>(scheme: S, aggregate: S.Aggregate, request: Tessera_V1_DecryptionRequest) {
        self.request = request
        verifyAnswer = { try await scheme.verify($0, from: $1, of: aggregate, context: $2) }
        releaseAnswers = { answers, context in
            try await scheme.release(answers.map { $0 as! S.VerifiedAnswer }, of: aggregate, context: context)
        }
    }

    public var contributors: [String] { request.contributors }

    /// Verifies one holder's answer (`INVALID_PROOF` names the holder).
    public func verify(_ answer: Tessera_V1_PartialDecryptions, from holder: String, context: RoundContext) async throws -> VerifiedAnswer {
        VerifiedAnswer(holder: holder, value: try await verifyAnswer(answer, holder, context), aggregate: identity)
    }

    /// Combines verified answers (the first `threshold` by holder id) into the round's sums.
    public func release(_ answers: [VerifiedAnswer], context: RoundContext) async throws -> [Int64] {
        guard answers.allSatisfy({ $0.aggregate === identity }) else {
            throw ProtocolError(.internal, "an answer verified against another aggregate")
        }
        return try await releaseAnswers(answers.sorted { $0.holder < $1.holder }.map(\.value), context)
    }
}
