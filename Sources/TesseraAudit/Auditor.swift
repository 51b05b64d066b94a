import Foundation
import TesseraCrypto
import TesseraKeys
import TesseraParallel
import TesseraProtocol
import TesseraSchemes
import TesseraState

/// Verifies a transcript from the outside, with nothing but the public manifest (and, for
/// one-shot jobs, the exported masked vectors): the hash chain; every entry's signature by its
/// named author; every job spec (re-validated, ε recomputed with the accountant, its scheme's
/// parameters recomputed); every submission (the scheme's own checks: encodings, proofs); every
/// aggregate (recomputed from the transcribed submissions); every partial decryption (its proof
/// against that aggregate); every released result (recombined from t verified answers and
/// decoded); and the privacy spent (each accepting participant's declared budget covered the
/// job's ε). The first failure is reported with the entry it concerns.
public struct Auditor {
    public struct Failure: Error, CustomStringConvertible {
        public let position: Int
        public let reason: String
        public var description: String { "audit FAILED at transcript entry \(position): \(reason)" }
    }

    public struct Report: Sendable {
        public var entries = 0
        public var root = Transcript.genesis
        public var jobs = 0
        public var rounds = 0
        /// Rounds the coordinator refused to release (their aggregate did not decode), checked.
        public var refusedRounds = 0
        public var spent: [String: Double] = [:]
        /// Federation keys recomputed from the transcript's DKGs (epoch, qualified dealers,
        /// number of verification keys derived, the excluded dealers with the rule's reason).
        public var keys: [(epoch: [UInt8], qualified: [String], verificationKeys: Int, excluded: [(holder: String, reason: String)])] = []
        /// Every use of the job API the coordinator recorded, in order (position, principal,
        /// role, action, job, detail), each checked against the manifest and the access matrix.
        public var accesses: [(position: Int, principal: String, role: String, action: String, job: String, detail: String)] = []
    }

    /// A one-shot submission's masked vector, exported beside the transcript (nil if missing).
    public typealias MaskedVectors = @Sendable (_ job: String, _ round: Int, _ participant: String) -> Data?

    let federation: FederationInfo
    let maskedVectors: MaskedVectors
    let parallelism: Parallelism

    public init(federation: FederationInfo, maskedVectors: @escaping MaskedVectors = { _, _, _ in nil }, parallelism: Parallelism = .all) {
        self.federation = federation
        self.maskedVectors = maskedVectors
        self.parallelism = parallelism
    }

    struct Job {
        let spec: Tessera_V1_JobSpec
        let scheme: Scheme
    }

    struct Round {
        var submissions: [String: Tessera_V1_Submission] = [:]
        var pending: PendingAggregate?
        var verified: [String: VerifiedAnswer] = [:]
    }

    public func audit(_ entries: [Transcript.Entry]) async throws -> Report {
        var report = Report()
        var previous = Transcript.genesis
        var jobs: [String: Job] = [:]
        var budgets: [String: [String: Double]] = [:]
        var rounds: [String: Round] = [:]
        var dkg = DKGRules.Messages()
        var confirmations: [String: Tessera_V1_DkgConfirmation] = [:]
        var dkgParameters: DKGRules.Parameters?
        var federationKeys: [FederationKey] = []
        for (i, entry) in entries.enumerated() {
            func fail(_ reason: String) -> Failure { Failure(position: entry.position, reason: reason) }
            guard entry.position == i + 1 else { throw fail("position \(entry.position) out of sequence (expected \(i + 1)): an entry was dropped or reordered") }
            let chain = Transcript.link(previous: previous, position: entry.position, author: entry.author, kind: entry.kind, envelope: entry.envelope)
            guard chain == entry.chain else { throw fail("hash chain broken") }
            previous = chain
            let body: Tessera_V1_Body
            do {
                body = try SignedEnvelope.open(try Tessera_V1_Envelope.parse(entry.envelope), expectedSender: entry.author, federation: federation)
            } catch {
                throw fail("signature of \(entry.author) does not verify: \(error)")
            }
            let roundKey = "\(body.jobID)#\(body.round)"
            func context(_ job: Job) -> RoundContext {
                RoundContext(federation: federation, job: body.jobID, round: Int(body.round), spec: job.spec, parallelism: parallelism)
            }
            switch (entry.kind, body.payload) {
            case ("dkg_start", .dkgStart(let start)):
                guard entry.author == FederationInfo.coordinatorID else { throw fail("DKG start not authored by the coordinator") }
                let p = DKGRules.Parameters(federation)
                do { try p.check(start) } catch { throw fail("DKG start does not match the manifest: \(error)") }
                dkgParameters = p
                dkg = DKGRules.Messages()
                confirmations = [:]
            case ("dkg_deal", .dkgDeal(let deal)):
                guard let p = dkgParameters else { throw fail("DKG deal before the DKG started") }
                do { _ = try DKGRules.commitments(of: deal, dealer: entry.author, parameters: p) } catch {
                    throw fail("deal of \(entry.author) is invalid: \(error)")
                }
                guard dkg.deals.updateValue(entry.envelope, forKey: entry.author) == nil else { throw fail("second deal of \(entry.author)") }
            case ("dkg_complaints", .dkgComplaints):
                guard dkgParameters != nil, dkg.complaints.updateValue(entry.envelope, forKey: entry.author) == nil else {
                    throw fail("complaints of \(entry.author) out of place or repeated")
                }
            case ("dkg_justification", .dkgJustification):
                guard dkgParameters != nil, dkg.justifications.updateValue(entry.envelope, forKey: entry.author) == nil else {
                    throw fail("justification of \(entry.author) out of place or repeated")
                }
            case ("dkg_confirmation", .dkgConfirmation(let confirmation)):
                guard dkgParameters != nil, confirmations.updateValue(confirmation, forKey: entry.author) == nil else {
                    throw fail("confirmation of \(entry.author) out of place or repeated")
                }
            case ("dkg_result", .dkgResult(let result)):
                guard entry.author == FederationInfo.coordinatorID, let p = dkgParameters else { throw fail("DKG result without a DKG") }
                let outcome: DKGRules.Outcome
                do { outcome = try DKGRules.outcome(dkg, parameters: p) } catch { throw fail("the transcribed DKG does not give a key: \(error)") }
                guard result.qualified == outcome.qualified, [UInt8](result.publicKey) == outcome.key.publicKey.encoded else {
                    throw fail("DKG result names qualified \(result.qualified) and key \([UInt8](result.publicKey).hex); the transcribed messages give \(outcome.qualified) and \(outcome.key.publicKey.encoded.hex)")
                }
                guard result.excluded.map({ "\($0.holder): \($0.reason)" }) == outcome.excluded.map({ "\($0.holder): \($0.reason)" }) else {
                    throw fail("DKG result names excluded \(result.excluded.map { "\($0.holder) (\($0.reason))" }); the transcribed messages exclude \(outcome.excluded.map { "\($0.holder) (\($0.reason))" })")
                }
                let agreeing = confirmations.filter { outcome.qualified.contains($0.key) && DKGRules.agrees($0.value, with: outcome) }
                guard agreeing.count >= DKGRules.confirmationsNeeded(p), agreeing.count == confirmations.count else {
                    throw fail("\(agreeing.count) of \(confirmations.count) transcribed confirmations agree with the DKG; \(DKGRules.confirmationsNeeded(p)) qualified holders must, and none may disagree")
                }
                var derived = 0
                for holder in outcome.key.holders {
                    do { _ = try outcome.key.verificationKey(of: holder); derived += 1 } catch { throw fail("verification key of \(holder): \(error)") }
                }
                federationKeys.append(outcome.key)
                report.keys.append((p.epoch, outcome.qualified, derived, outcome.excluded))
                dkgParameters = nil
            case ("job_spec", .jobSpec(let spec)):
                guard entry.author == FederationInfo.coordinatorID else { throw fail("job spec not authored by the coordinator") }
                do {
                    jobs[body.jobID] = Job(spec: spec, scheme: try SchemeRules.scheme(for: spec, federation: federation,
                                                                                      keys: SchemeKeys(federationKeys: federationKeys)))
                } catch {
                    throw fail("job spec \(body.jobID) is invalid: \(error)")
                }
                report.jobs += 1
            case ("job_decision", .jobDecision(let decision)):
                guard let job = jobs[body.jobID] else { throw fail("decision for unknown job \(body.jobID)") }
                if decision.accept {
                    let need = try JobPrivacy.total(job.spec).epsilon
                    guard decision.remainingEpsilon + 1e-9 >= need else {
                        throw fail("\(entry.author) accepted job \(body.jobID) (ε = \(need)) with a declared remaining budget of \(decision.remainingEpsilon)")
                    }
                    budgets[body.jobID, default: [:]][entry.author] = decision.remainingEpsilon
                }
            case ("submission", .submission), ("submission", .keyLayer):
                guard let job = jobs[body.jobID] else { throw fail("submission for unknown job \(body.jobID)") }
                guard budgets[body.jobID]?[entry.author] != nil else { throw fail("submission from \(entry.author), which did not accept job \(body.jobID)") }
                let submission: Tessera_V1_Submission
                if case .submission(let s) = body.payload {
                    submission = s
                } else {
                    guard let masked = maskedVectors(body.jobID, Int(body.round), entry.author) else {
                        throw fail("the masked vector of \(entry.author) in round \(body.round) of \(body.jobID) was not exported with the transcript")
                    }
                    submission = .with { $0.oneShot = .with { $0.masked = masked; $0.keyLayer = entry.envelope } }
                }
                do { try await job.scheme.check(submission, from: entry.author, context: context(job)) } catch {
                    throw fail("submission from \(entry.author) in round \(body.round) fails its checks: \(error)")
                }
                guard rounds[roundKey, default: Round()].submissions.updateValue(submission, forKey: entry.author) == nil else {
                    throw fail("second submission from \(entry.author) in round \(body.round)")
                }
            case ("aggregate", .decryptionRequest(let request)):
                guard entry.author == FederationInfo.coordinatorID, let job = jobs[body.jobID], var round = rounds[roundKey] else {
                    throw fail("aggregate without submissions")
                }
                guard request.contributors == round.submissions.keys.sorted() else {
                    throw fail("aggregate names contributors \(request.contributors), the transcript holds submissions from \(round.submissions.keys.sorted())")
                }
                let pending: PendingAggregate
                do {
                    pending = try await job.scheme.aggregate(round.submissions.keys.sorted().map { ($0, round.submissions[$0]!) }, context: context(job))
                } catch {
                    throw fail("the submissions of round \(body.round) do not aggregate: \(error)")
                }
                guard pending.request.transcriptRecord == request else {
                    throw fail("aggregate of round \(body.round) is not the aggregate of the submitted ciphertexts")
                }
                round.pending = pending
                rounds[roundKey] = round
            case ("partial_decryptions", .partialDecryptions(let message)):
                guard let job = jobs[body.jobID], let pending = rounds[roundKey]?.pending else { throw fail("partial decryptions before the aggregate") }
                do {
                    rounds[roundKey]!.verified[entry.author] = try await pending.verify(message, from: entry.author, context: context(job))
                } catch {
                    throw fail("partial decryptions of \(entry.author) do not verify: \(error)")
                }
            case ("round_refused", .status(let status)):
                guard entry.author == FederationInfo.coordinatorID, let job = jobs[body.jobID], let round = rounds[roundKey],
                      let pending = round.pending, status.code == .refused else { throw fail("round refusal without an aggregate") }
                let holders = round.verified.keys.sorted().prefix(job.scheme.threshold)
                guard holders.count == job.scheme.threshold else {
                    throw fail("round refused with \(holders.count) verified holders, threshold \(job.scheme.threshold)")
                }
                if (try? await pending.release(holders.map { round.verified[$0]! }, context: context(job))) != nil {
                    throw fail("the coordinator refused round \(body.round) of \(body.jobID) (\(status.message)), but its verified partial decryptions decode")
                }
                report.refusedRounds += 1
            case ("round_result", .roundResult(let result)):
                guard entry.author == FederationInfo.coordinatorID, let job = jobs[body.jobID], let round = rounds[roundKey],
                      let pending = round.pending else { throw fail("result without an aggregate") }
                let holders = round.verified.keys.sorted().prefix(job.scheme.threshold)
                guard holders.count == job.scheme.threshold else {
                    throw fail("result released with \(holders.count) verified holders, threshold \(job.scheme.threshold)")
                }
                let sums: [Int64]
                do { sums = try await pending.release(holders.map { round.verified[$0]! }, context: context(job)) } catch {
                    throw fail("the verified partial decryptions of round \(body.round) do not decode: \(error)")
                }
                guard sums == result.sums, result.contributors == pending.contributors else {
                    throw fail("released result of round \(body.round) differs from the threshold decryption of the aggregate")
                }
                let cost = try JobPrivacy.cost(job.spec, round: Int(body.round)).epsilon
                for id in pending.contributors { report.spent[id, default: 0] += cost }
                report.rounds += 1
            case ("steward_decision", .stewardDecision(let decision)):
                // Signed by the steward itself (checked above against the manifest's key).
                guard let steward = federation.principals[entry.author], steward.role == "steward", steward.organisation == decision.brand else {
                    throw fail("a steward decision for \(decision.brand) by \(entry.author), who is not that brand's steward in the manifest")
                }
                guard let job = jobs[body.jobID], job.spec.participants.contains(decision.brand) else {
                    throw fail("a steward decision on \(body.jobID.debugDescription), which is not a job of \(decision.brand)")
                }
                report.accesses.append((entry.position, steward.id, steward.role, "decide-job", body.jobID,
                                        "\(decision.approve ? "approve" : "reject") \(decision.brand)\(decision.reason.isEmpty ? "" : ": \(decision.reason)")"))
            case ("access", .accessRecord(let access)):
                guard entry.author == FederationInfo.coordinatorID else { throw fail("access record not authored by the coordinator") }
                guard let principal = federation.principals[access.principal], principal.role == access.role else {
                    throw fail("access record names \(access.principal.debugDescription) as \(access.role), which the manifest does not list")
                }
                if access.action == "read-result" {
                    guard let job = jobs[body.jobID], job.spec.resultReaders.contains(access.principal) else {
                        throw fail("\(access.principal) read the result of \(body.jobID.debugDescription) without being one of its result readers")
                    }
                }
                report.accesses.append((entry.position, access.principal, access.role, access.action, body.jobID, access.detail))
            default:
                throw fail("entry kind \(entry.kind) does not match its message (\(body.kind))")
            }
        }
        report.entries = entries.count
        report.root = previous
        return report
    }
}

/// The exported form: one JSON object per line.
public enum TranscriptFile {
    public static func write(_ entries: [Transcript.Entry], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var out = Data()
        for e in entries { out += try encoder.encode(e); out += Data("\n".utf8) }
        try out.write(to: URL(fileURLWithPath: path))
    }

    public static func read(_ path: String) throws -> [Transcript.Entry] {
        guard let text = String(data: try ReadableErrors.read(path, what: "transcript"), encoding: .utf8) else {
            throw FileError("transcript \(path): not UTF-8 text")
        }
        return try text.split(separator: "\n").enumerated().map { i, line in
            do { return try JSONDecoder().decode(Transcript.Entry.self, from: Data(line.utf8)) } catch {
                throw Auditor.Failure(position: i + 1, reason: "line \(i + 1) of \(path) is not a transcript entry")
            }
        }
    }
}

/// The masked vectors of one-shot submissions, exported beside the transcript (which holds
/// only their hashes, inside each signed key layer): `masked/JOB/ROUND/PARTICIPANT.bin`, the
/// vector's wire bytes. Job and participant ids are restricted to path-safe characters.
public enum MaskedVectorFiles {
    public static func path(_ directory: String, job: String, round: Int, participant: String) -> String {
        "\(directory)/masked/\(job)/\(round)/\(participant).bin"
    }

    /// Writes every stored one-shot submission's masked vector; returns how many.
    @discardableResult
    public static func export(from store: CoordinatorStore, to directory: String) throws -> Int {
        var count = 0
        for row in try store.allSubmissions() {
            let body = try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: row.envelope).body)
            guard case .submission(let submission) = body.payload, submission.hasOneShot else { continue }
            let file = path(directory, job: row.job, round: row.round, participant: row.participant)
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try submission.oneShot.masked.write(to: URL(fileURLWithPath: file))
            count += 1
        }
        return count
    }

    /// The masked vectors straight from a live coordinator's store (its submissions).
    public static func reader(store: CoordinatorStore) -> Auditor.MaskedVectors {
        { job, round, participant in
            guard let envelope = try? store.submissions(job: job, round: round).first(where: { $0.participant == participant })?.envelope,
                  let body = try? Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: envelope).body),
                  case .submission(let submission) = body.payload, submission.hasOneShot else { return nil }
            return submission.oneShot.masked
        }
    }

    /// The auditor's source of masked vectors for an export directory.
    public static func reader(_ directory: String) -> Auditor.MaskedVectors {
        { job, round, participant in FileManager.default.contents(atPath: path(directory, job: job, round: round, participant: participant)) }
    }
}
