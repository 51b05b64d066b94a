import Foundation
import TesseraCrypto
import TesseraGroup
import TesseraParallel
import TesseraProtocol
import TesseraRandom

/// A whole federation held in one process, for benchmarks and tests: every node's signing and
/// sealing keys, the one-shot scheme's key computed with the DKG's own rules (`DKGRules`) or a
/// Paillier key dealt with `ThresholdDealer`, and rounds driven through the `Scheme` API —
/// the same cryptography as the nodes run, with no sockets, processes or storage.
///
/// TEST ONLY: every secret of the federation is in this value, derived from `seed`.
public struct InMemoryFederation: Sendable {
    public let federation: FederationInfo
    /// The participants, sorted.
    public let participants: [String]
    let signingKeys: [String: SigningKey]
    let sealingKeys: [String: SealingPrivateKey]
    let paillierShares: [String: KeyShare]
    let seed: Seed

    /// `holders` is the decryption committee (nil: every participant), `threshold` its t (for
    /// both the DKG and a Paillier dealing). `paillierBits` deals a threshold Paillier key of
    /// that size (with safe primes: seconds to minutes); nil leaves the federation without one.
    public init(name: String = "in-memory", participants: [String], holders: [String]? = nil, threshold: Int,
                paillierBits: Int? = nil, seed: UInt64) throws {
        let seed = Seed(seed).derive("tessera/in-memory-federation/v1")
        let sorted = participants.sorted()
        let holders = (holders ?? sorted).sorted()
        guard !sorted.isEmpty, Set(sorted).count == sorted.count else {
            throw ProtocolError(.malformed, "an in-memory federation needs distinct participants")
        }
        guard Set(holders).isSubset(of: Set(sorted)), Set(holders).count == holders.count else {
            throw ProtocolError(.malformed, "the committee must be distinct participants")
        }
        guard threshold >= 1, threshold <= holders.count, 2 * threshold > holders.count else {
            throw ProtocolError(.malformed, "threshold \(threshold) of \(holders.count) holders: t must exceed n/2 and be at most n")
        }
        func rng(_ label: String) -> ChaCha20DRBG { ChaCha20DRBG(seed: seed.derive(label)) }
        var signing: [String: SigningKey] = [:], sealing: [String: SealingPrivateKey] = [:]
        for id in sorted + [FederationInfo.coordinatorID] {
            var r = rng("node/\(id)")
            signing[id] = SigningKey.generate(using: &r)
            sealing[id] = SealingPrivateKey.generate(using: &r)
        }
        var thresholdKey: ThresholdPublicKey?
        var shares: [String: KeyShare] = [:]
        if let bits = paillierBits {
            var r = rng("paillier")
            let (key, dealt) = try ThresholdDealer.deal(bits: bits, threshold: threshold, shareCount: holders.count, using: &r)
            thresholdKey = key
            for (i, holder) in holders.enumerated() { shares[holder] = dealt[i] }
        }
        let members = sorted.map { id in
            FederationInfo.Participant(id: id, certificateFingerprint: "in-memory/\(id)", signingKey: signing[id]!.verifyingKey,
                                       sealingKey: sealing[id]!.publicKey, shareIndex: holders.firstIndex(of: id).map { $0 + 1 } ?? 0)
        }
        let epoch = Blake2b.hash(Array("tessera/in-memory-federation/epoch".utf8) + seed.bytes + Array(name.utf8), outputLength: 16)
        federation = FederationInfo(name: name, participants: members, coordinatorFingerprint: "in-memory/coordinator",
                                    coordinatorKey: signing[FederationInfo.coordinatorID]!.verifyingKey, epoch: epoch,
                                    holders: holders, keyThreshold: threshold, dealerKey: nil, thresholdKey: thresholdKey)
        self.participants = sorted
        signingKeys = signing
        sealingKeys = sealing
        paillierShares = shares
        self.seed = seed
    }

    public var holders: [String] { federation.holders }
    public var threshold: Int { federation.keyThreshold }

    // MARK: - DKG

    /// The federation's one-shot key and every holder's share of it.
    public struct ElGamalKeys: Sendable {
        public let key: FederationKey
        let shares: [String: ElGamalKeyShare]
    }

    /// The epoch's DKG computed in memory by the rules every node applies: each holder deals
    /// (`Dealing`, sealed shares in a signed deal), opens and checks the shares sealed to it
    /// (`DKGRules.openShare`), the outcome (QUAL and key) follows from the signed deals
    /// (`DKGRules.outcome`), and each holder sums its shares (`ElGamalKeyShare(index:summing:)`),
    /// checked against its verification key. Honest holders only: a share that does not open
    /// or verify is an error here, not a complaint.
    public func dkg() throws -> ElGamalKeys {
        let p = DKGRules.Parameters(federation)
        var dealings: [String: Dealing] = [:]
        var messages = DKGRules.Messages()
        for holder in p.holders {
            var r = ChaCha20DRBG(seed: seed.derive("dkg/dealing/\(holder)"))
            let dealing = try Dealing.create(threshold: p.threshold, holders: p.holders.count, keys: p.keys, using: &r)
            let deal = try DKGRules.deal(dealing, dealer: holder, parameters: p, federation: federation, sealingKey: sealingKeys[holder]!,
                                         randomness: .seeded(seed.derive("dkg/deal/\(holder)")))
            dealings[holder] = dealing
            messages.deals[holder] = try outbox(holder).seal(job: "", round: 0, .dkgDeal(deal))
        }
        let outcome = try DKGRules.outcome(messages, parameters: p)
        var shares: [String: ElGamalKeyShare] = [:]
        for holder in p.holders {
            let index = p.index(of: holder)!
            var parts: [[Scalar]] = []
            for dealer in outcome.qualified {
                if dealer == holder {
                    parts.append(try dealings[holder]!.shares(for: index))
                    continue
                }
                let body = try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: messages.deals[dealer]!).body)
                guard case .dkgDeal(let deal) = body.payload else { throw ProtocolError(.internal, "deal of \(dealer) is not a deal") }
                let commitments = try DKGRules.commitments(of: deal, dealer: dealer, parameters: p)
                parts.append(try DKGRules.openShare(of: deal, dealer: dealer, commitments: commitments, recipient: holder,
                                                    parameters: p, federation: federation, sealingKey: sealingKeys[holder]!))
            }
            let share = try ElGamalKeyShare(index: index, summing: parts)
            guard share.verificationKey == (try outcome.key.verificationKey(of: holder)) else {
                throw ProtocolError(.internal, "the summed share of \(holder) does not match its verification key")
            }
            shares[holder] = share
        }
        return ElGamalKeys(key: outcome.key, shares: shares)
    }

    // MARK: - Jobs

    /// The signed spec a coordinator would make of a vector-sum job file with no noise (as
    /// `JobDefinition.spec` does), completed and checked by `SchemeRules`.
    public func vectorSumSpec(scheme: String, vectorLength: Int, valueBound: Int64, participants listed: [String]? = nil,
                              keys: ElGamalKeys? = nil) throws -> Tessera_V1_JobSpec {
        let listed = (listed ?? participants).sorted()
        var spec = Tessera_V1_JobSpec()
        spec.kind = "vector-sum"
        spec.scheme = scheme
        spec.vectorLength = UInt32(vectorLength)
        spec.valueBound = valueBound
        spec.noiseBound = 0
        spec.noiseMechanism = "none"
        spec.noiseVariance = "0"
        spec.l2Bound = 0
        spec.privacyUnit = "participant"
        spec.parameters = ""  // vector-sum takes no parameters (JobComputation.canonicalParameters)
        spec.minParticipants = UInt32(listed.count)
        spec.rounds = 1
        spec.participants = listed
        spec.delta = "0"
        spec.epsilon = try JobPrivacy.accounting(spec).map { "\($0.totalEpsilon)" } ?? "0"
        try SchemeRules.complete(&spec, federation: federation, federationKey: keys?.key)
        _ = try SchemeRules.scheme(for: spec, federation: federation, keys: schemeKeys(nil, keys))
        return spec
    }

    /// The keys node `id` (nil: the coordinator) brings to a scheme.
    func schemeKeys(_ id: String?, _ keys: ElGamalKeys?) -> SchemeKeys {
        guard let keys else { return SchemeKeys(paillierShare: id.flatMap { paillierShares[$0] }) }
        let shares = id.flatMap { keys.shares[$0] }.map { [keys.key.epoch: $0] } ?? [:]
        return SchemeKeys(paillierShare: id.flatMap { paillierShares[$0] }, federationKeys: [keys.key], elgamalShares: shares)
    }

    func outbox(_ id: String) -> Outbox {
        Outbox(federation: federation.name, sender: id, key: signingKeys[id]!, nextSequence: { 1 })
    }

    // MARK: - Rounds

    /// One phase of a round: its name, the wall time of all its calls (one after another,
    /// each with the round's parallelism), the CPU time this process spent meanwhile (every
    /// thread: the phase's work, whatever else loads the machine), and how many calls it made.
    public struct Phase: Sendable {
        public let name: String
        public let seconds: Double
        public let cpuSeconds: Double
        public let calls: Int
    }

    /// What a round did: the released sums, the plaintext sums they must equal, the phases
    /// in order, and the size of every message as it would go on the wire (protobuf bytes).
    public struct RoundOutcome: Sendable {
        public let sums: [Int64]
        public let expected: [Int64]
        public let phases: [Phase]
        public let holders: [String]
        /// Serialized submission per participant (before the sender's signed envelope).
        public let submissionBytes: [String: Int]
        public let requestBytes: Int
        public let answerBytes: [String: Int]
        public var exact: Bool { sums == expected }
        public func seconds(_ phase: String) -> Double { phases.first { $0.name == phase }?.seconds ?? 0 }
        public var totalSeconds: Double { phases.map(\.seconds).reduce(0, +) }
        public var totalCPUSeconds: Double { phases.map(\.cpuSeconds).reduce(0, +) }
    }

    /// One round of `spec` (a vector-sum job of this federation) with each participant's
    /// update, through the `Scheme` API in the order the nodes run it: every participant's
    /// `submit`; the coordinator's `check` of each submission and `aggregate`; the first t
    /// holders among the contributors (as the coordinator asks them) `respond`, each checking
    /// the request first; the coordinator's `verify` of each answer and `release`. Every call
    /// runs with `parallelism`, one after another, as one machine running every node would.
    public func round(_ spec: Tessera_V1_JobSpec, job: String = "bench", updates: [String: [Int64]], keys: ElGamalKeys? = nil,
                      parallelism: Parallelism = .all) async throws -> RoundOutcome {
        let contributors = updates.keys.sorted()
        guard !contributors.isEmpty else { throw ProtocolError(.internal, "no updates") }
        let context = RoundContext(federation: federation, job: job, round: 1, spec: spec, parallelism: parallelism)
        let coordinator = try SchemeRules.scheme(for: spec, federation: federation, keys: schemeKeys(nil, keys))
        var nodes: [String: Scheme] = [:]
        for id in Set(contributors).union(coordinator.holders) {
            nodes[id] = try SchemeRules.scheme(for: spec, federation: federation, keys: schemeKeys(id, keys))
        }
        let randomness = RandomStreams.seeded(seed.derive("round/\(job)"))
        var phases: [Phase] = []
        let clock = ContinuousClock()
        func timed<T>(_ name: String, _ count: Int, _ body: (Int) async throws -> T) async throws -> [T] {
            var out: [T] = []
            let (start, cpu) = (clock.now, Self.processCPUSeconds())
            for i in 0..<count { out.append(try await body(i)) }
            phases.append(Phase(name: name, seconds: Self.seconds(clock.now - start), cpuSeconds: Self.processCPUSeconds() - cpu, calls: count))
            return out
        }

        let submissions = try await timed("submit", contributors.count) { i in
            let id = contributors[i]
            return try await nodes[id]!.submit(updates[id]!, context: context, signer: outbox(id),
                                               randomness: randomness.scoped("participant/\(id)"))
        }
        let submitted = zip(contributors, submissions).map { (participant: $0.0, submission: $0.1) }
        _ = try await timed("check", submitted.count) { i in
            try await coordinator.check(submitted[i].submission, from: submitted[i].participant, context: context)
        }
        let pending = try await timed("aggregate", 1) { _ in try await coordinator.aggregate(submitted, context: context) }[0]
        // As the coordinator asks: contributing holders first (by id), then the others.
        let candidates = coordinator.holders.filter { contributors.contains($0) } + coordinator.holders.filter { !contributors.contains($0) }
        let requested = Array(candidates.prefix(coordinator.threshold))
        let answers = try await timed("respond", requested.count) { i in
            try await nodes[requested[i]]!.respond(to: pending.request, context: context, randomness: randomness.scoped("holder/\(requested[i])"),
                                                   recordOnce: { _ in true })
        }
        let verified = try await timed("verify", requested.count) { i in
            try await pending.verify(answers[i], from: requested[i], context: context)
        }
        let sums = try await timed("release", 1) { _ in try await pending.release(verified, context: context) }[0]

        var expected = [Int64](repeating: 0, count: Int(spec.vectorLength))
        for id in contributors {
            for (i, v) in updates[id]!.enumerated() { expected[i] &+= v }
        }
        return RoundOutcome(sums: sums, expected: expected, phases: phases, holders: requested,
                            submissionBytes: Dictionary(uniqueKeysWithValues: submitted.map { ($0.participant, (try? $0.submission.serializedData().count) ?? 0) }),
                            requestBytes: (try? pending.request.serializedData().count) ?? 0,
                            answerBytes: Dictionary(uniqueKeysWithValues: zip(requested, answers).map { ($0, (try? $1.serializedData().count) ?? 0) }))
    }

    /// CPU time of this process so far, all threads (CLOCK_PROCESS_CPUTIME_ID).
    public static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Uniform updates in [−bound, bound], reproducible from the federation's seed.
    public func randomUpdates(length: Int, bound: Int64, participants listed: [String]? = nil) -> [String: [Int64]] {
        Dictionary(uniqueKeysWithValues: (listed ?? participants).map { id in
            var r = ChaCha20DRBG(seed: seed.derive("updates/\(id)"))
            return (id, (0..<length).map { _ in Int64(r.uniform(below: UInt64(2 * bound + 1))) - bound })
        })
    }
}
