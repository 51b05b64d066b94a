import Foundation
import TesseraCrypto
import TesseraKeys
import TesseraMath
import TesseraProtocol
import TesseraState

/// Verifies a transcript from the outside, with nothing but the public manifest:
/// the hash chain; every entry's signature by its named author; every job spec (re-validated,
/// ε recomputed with the accountant); every aggregate (recomputed as the product of the
/// transcribed submissions); every partial decryption (batched proof against that aggregate);
/// every released result (recombined from t verified partial decryptions and unpacked); and the
/// privacy spent (each accepting participant's declared budget covered the job's ε).
/// The first failure is reported with the entry it concerns.
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
        public var spent: [String: Double] = [:]
    }

    let federation: FederationInfo

    public init(federation: FederationInfo) { self.federation = federation }

    struct Round {
        var submissions: [String: [Ciphertext]] = [:]
        var aggregate: [Ciphertext]?
        var contributors: [String] = []
        var verified: [String: [VerifiedPartialDecryption]] = [:]
    }

    public func audit(_ entries: [Transcript.Entry]) throws -> Report {
        var report = Report()
        var previous = Transcript.genesis
        var specs: [String: (spec: Tessera_V1_JobSpec, plan: PackingPlan)] = [:]
        var budgets: [String: [String: Double]] = [:]
        var rounds: [String: Round] = [:]
        let key = federation.thresholdKey
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
            switch (entry.kind, body.payload) {
            case ("job_spec", .jobSpec(let spec)):
                guard entry.author == FederationInfo.coordinatorID else { throw fail("job spec not authored by the coordinator") }
                do { specs[body.jobID] = (spec, try JobSpecRules.validate(spec, federation: federation)) } catch {
                    throw fail("job spec \(body.jobID) is invalid: \(error)")
                }
                report.jobs += 1
            case ("job_decision", .jobDecision(let decision)):
                guard let job = specs[body.jobID] else { throw fail("decision for unknown job \(body.jobID)") }
                if decision.accept {
                    let need = try JobPrivacy.total(job.spec).epsilon
                    guard decision.remainingEpsilon + 1e-9 >= need else {
                        throw fail("\(entry.author) accepted job \(body.jobID) (ε = \(need)) with a declared remaining budget of \(decision.remainingEpsilon)")
                    }
                    budgets[body.jobID, default: [:]][entry.author] = decision.remainingEpsilon
                }
            case ("submission", .submission(let submission)):
                guard let job = specs[body.jobID] else { throw fail("submission for unknown job \(body.jobID)") }
                guard budgets[body.jobID]?[entry.author] != nil else { throw fail("submission from \(entry.author), which did not accept job \(body.jobID)") }
                guard submission.ciphertexts.count == job.plan.plaintextCount(forLength: Int(job.spec.vectorLength)) else {
                    throw fail("submission from \(entry.author) has \(submission.ciphertexts.count) ciphertexts")
                }
                let cts = try submission.ciphertexts.enumerated().map { try CiphertextCoding.decode($1, key: key.paillier, index: $0) }
                guard rounds[roundKey, default: Round()].submissions.updateValue(cts, forKey: entry.author) == nil else {
                    throw fail("second submission from \(entry.author) in round \(body.round)")
                }
            case ("aggregate", .decryptionRequest(let request)):
                guard entry.author == FederationInfo.coordinatorID, var round = rounds[roundKey] else { throw fail("aggregate without submissions") }
                guard request.contributors == round.submissions.keys.sorted() else {
                    throw fail("aggregate names contributors \(request.contributors), the transcript holds submissions from \(round.submissions.keys.sorted())")
                }
                var product: [Ciphertext] = []
                for id in request.contributors {
                    let cts = round.submissions[id]!
                    product = product.isEmpty ? cts : try zip(product, cts).map { try key.paillier.add($0, $1) }
                }
                let claimed = try request.ciphertexts.enumerated().map { try CiphertextCoding.decode($1, key: key.paillier, index: $0) }
                guard claimed == product else { throw fail("aggregate of round \(body.round) is not the product of the submitted ciphertexts") }
                round.aggregate = product
                round.contributors = request.contributors
                rounds[roundKey] = round
            case ("partial_decryptions", .partialDecryptions(let message)):
                guard let aggregate = rounds[roundKey]?.aggregate else { throw fail("partial decryptions before the aggregate") }
                guard federation.participants[entry.author]?.shareIndex == Int(message.holderIndex) else {
                    throw fail("\(entry.author) used share \(message.holderIndex), not its own")
                }
                do {
                    rounds[roundKey]!.verified[entry.author] = try key.verify(try CiphertextCoding.decode(message, key: key), of: aggregate)
                } catch {
                    throw fail("partial decryptions of \(entry.author) do not verify: \(error)")
                }
            case ("round_result", .roundResult(let result)):
                guard entry.author == FederationInfo.coordinatorID, let job = specs[body.jobID], let round = rounds[roundKey],
                      let aggregate = round.aggregate else { throw fail("result without an aggregate") }
                let holders = round.verified.keys.sorted().prefix(key.threshold)
                guard holders.count == key.threshold else { throw fail("result released with \(holders.count) verified holders, threshold \(key.threshold)") }
                var plaintexts: [BigInt] = []
                for j in aggregate.indices { plaintexts.append(try key.combine(holders.map { round.verified[$0]![j] }, of: aggregate[j])) }
                let sums = try SlotPacker(plan: job.plan).unpackSum(plaintexts, length: Int(job.spec.vectorLength), contributions: round.contributors.count)
                guard sums == result.sums, result.contributors == round.contributors else {
                    throw fail("released result of round \(body.round) differs from the threshold decryption of the aggregate")
                }
                let cost = try JobPrivacy.cost(job.spec, round: Int(body.round)).epsilon
                for id in round.contributors { report.spent[id, default: 0] += cost }
                report.rounds += 1
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
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").enumerated().map { i, line in
            do { return try JSONDecoder().decode(Transcript.Entry.self, from: Data(line.utf8)) } catch {
                throw Auditor.Failure(position: i + 1, reason: "line \(i + 1) of \(path) is not a transcript entry")
            }
        }
    }
}
