import Foundation
import TesseraCrypto
import TesseraGroup
import TesseraProtocol
import TesseraRandom

/// The rules of the federation's distributed key generation (protocol/README.md §6.4):
/// Joint-Feldman (Pedersen 1991) with the complaint and disqualification rounds of
/// Gennaro–Jarecki–Krawczyk–Rabin 1999 (§3, "Joint-Feldman" and its complaint phase), among
/// the federation's holders, relayed by the coordinator. Every node applies these functions
/// to the same signed messages and so computes the same qualified set and key; the auditor
/// applies them to the transcript.
///
/// Phases: each holder deals (Feldman commitments to L polynomials of degree t − 1, and each
/// holder's shares sealed to it); each holder checks its shares and complains about the
/// dealers whose box did not open or whose shares do not match their commitments; each
/// accused dealer reveals the complained-about shares; a dealer is disqualified if t or more
/// holders complained (revealing t shares would reveal its secret), or if it did not answer a
/// complaint with shares that match its commitments. QUAL is the rest; fewer than t + 1
/// qualified dealers fail the DKG. The key bias a rushing dealer can cause in Joint-Feldman
/// does not help an attacker of ElGamal (GJKR 2003, CT-RSA).
///
/// A malicious relay cannot alter a sealed share (the dealer signed its deal), and withholding
/// a deal from a holder leads to no public reveal: only a holder holding the signed deal
/// complains, so honest dealers' shares are revealed only to complaints by holders who had
/// them anyway. Equivocation (different relays to different holders) shows as different
/// digests in the holders' confirmations.
public enum DKGRules {
    /// L in protocol v1.
    public static let keys = ElGamalPublicKey.defaultKeyCount

    public struct Parameters: Sendable, Equatable {
        public let epoch: [UInt8]
        public let holders: [String]
        public let threshold: Int
        public let keys: Int

        public init(epoch: [UInt8], holders: [String], threshold: Int, keys: Int = DKGRules.keys) {
            self.epoch = epoch
            self.holders = holders.sorted()
            self.threshold = threshold
            self.keys = keys
        }

        public init(_ federation: FederationInfo) {
            self.init(epoch: federation.epoch, holders: federation.holders, threshold: federation.keyThreshold)
        }

        public func index(of holder: String) -> Int? { holders.firstIndex(of: holder).map { $0 + 1 } }

        public var start: Tessera_V1_DkgStart {
            .with {
                $0.epoch = Data(epoch)
                $0.holders = holders
                $0.threshold = UInt32(threshold)
                $0.keys = UInt32(keys)
            }
        }

        /// Refuses a start message that does not describe this federation's epoch.
        public func check(_ start: Tessera_V1_DkgStart) throws {
            guard [UInt8](start.epoch) == epoch else {
                throw ProtocolError(.refused, "DKG for epoch \([UInt8](start.epoch).hex); this node's manifest is epoch \(epoch.hex)")
            }
            guard start.holders == holders, Int(start.threshold) == threshold, Int(start.keys) == keys else {
                throw ProtocolError(.refused, "DKG of \(start.holders.count) holders, threshold \(start.threshold), \(start.keys) keys; the manifest gives \(holders.count) holders, threshold \(threshold), \(keys) keys")
            }
        }
    }

    // MARK: - Deals

    /// "tessera/dkg/share/v1" ‖ epoch ‖ len8 dealer ‖ dealer ‖ len8 recipient ‖ recipient: what a
    /// sealed share must start with, so that a box cannot be passed off for another pair or epoch.
    static func sharePrefix(epoch: [UInt8], dealer: String, recipient: String) -> [UInt8] {
        Array("tessera/dkg/share/v1".utf8) + epoch + [UInt8(dealer.utf8.count)] + Array(dealer.utf8) + [UInt8(recipient.utf8.count)] + Array(recipient.utf8)
    }

    /// A holder's deal: its commitments and every holder's shares sealed to that holder.
    public static func deal(_ dealing: Dealing, dealer: String, parameters p: Parameters, federation: FederationInfo,
                            sealingKey: SealingPrivateKey, randomness: RandomStreams) throws -> Tessera_V1_DkgDeal {
        var shares: [Tessera_V1_SealedShare] = []
        for (j, holder) in p.holders.enumerated() {
            guard let recipient = federation.participants[holder]?.sealingKey else {
                throw ProtocolError(.internal, "holder \(holder) has no sealing key in the manifest")
            }
            let plaintext = sharePrefix(epoch: p.epoch, dealer: dealer, recipient: holder) + (try dealing.shares(for: j + 1)).concatenated
            var rng = randomness.stream("seal/\(holder)")
            let sealed = SealedBox.seal(plaintext, to: recipient, from: sealingKey, using: &rng)
            shares.append(.with { $0.recipient = holder; $0.sealed = Data(sealed) })
        }
        return .with {
            $0.epoch = Data(p.epoch)
            $0.commitments = Data(Dealing.encode(commitments: dealing.commitments))
            $0.shares = shares
        }
    }

    /// A deal checked for shape: its commitments decoded. Every node applies this to every
    /// deal before using it; a failure names the dealer and what is wrong.
    public static func commitments(of deal: Tessera_V1_DkgDeal, dealer: String, parameters p: Parameters) throws -> [[GroupElement]] {
        guard [UInt8](deal.epoch) == p.epoch else {
            throw ProtocolError(.wrongJob, "deal of \(dealer) is for epoch \([UInt8](deal.epoch).hex), not \(p.epoch.hex)")
        }
        guard let index = p.index(of: dealer) else {
            throw ProtocolError(.unexpected, "\(dealer) is not a holder of epoch \(p.epoch.hex): it cannot deal")
        }
        let expected = p.keys * p.threshold * 32
        guard deal.commitments.count == expected else {
            throw ProtocolError(.wrongLength, "deal of \(dealer) has \(deal.commitments.count) bytes of commitments, expected \(expected) (\(p.keys) keys × threshold \(p.threshold) points of 32 bytes)")
        }
        let commitments: [[GroupElement]]
        do { commitments = try Dealing.decodeCommitments(deal.commitments, keys: p.keys, threshold: p.threshold, dealer: index) } catch {
            throw ProtocolError(.malformed, "deal of \(dealer): \(error)")
        }
        guard deal.shares.map(\.recipient) == p.holders else {
            throw ProtocolError(.malformed, "deal of \(dealer) carries shares for \(deal.shares.map(\.recipient)), expected one per holder \(p.holders)")
        }
        let boxBytes = SealedBox.overhead + sharePrefix(epoch: p.epoch, dealer: dealer, recipient: "").count + p.keys * 32
        for share in deal.shares where share.sealed.count != boxBytes + share.recipient.utf8.count {
            throw ProtocolError(.wrongLength, "deal of \(dealer): the sealed share for \(share.recipient) has \(share.sealed.count) bytes, expected \(boxBytes + share.recipient.utf8.count)")
        }
        return commitments
    }

    /// Opens this holder's share of a deal and checks it against the dealer's commitments.
    /// Throws the complaint's reason when either fails.
    public static func openShare(of deal: Tessera_V1_DkgDeal, dealer: String, commitments: [[GroupElement]], recipient: String,
                                 parameters p: Parameters, federation: FederationInfo, sealingKey: SealingPrivateKey) throws -> [Scalar] {
        guard let sealed = deal.shares.first(where: { $0.recipient == recipient }), let index = p.index(of: recipient),
              let sender = federation.participants[dealer]?.sealingKey else {
            throw DKGComplaint("no share for \(recipient)")
        }
        let plaintext: [UInt8]
        do { plaintext = try SealedBox.open([UInt8](sealed.sealed), from: sender, to: sealingKey) } catch {
            throw DKGComplaint("the sealed share does not open (\(error))")
        }
        let prefix = sharePrefix(epoch: p.epoch, dealer: dealer, recipient: recipient)
        guard plaintext.count == prefix.count + p.keys * 32, Array(plaintext.prefix(prefix.count)) == prefix else {
            throw DKGComplaint("the sealed share is not addressed to \(recipient) for epoch \(p.epoch.hex)")
        }
        let shares: [Scalar]
        do { shares = try [Scalar](concatenated: plaintext.dropFirst(prefix.count), count: p.keys, what: "share") } catch {
            throw DKGComplaint("the share is not a scalar (\(error))")
        }
        guard Dealing.verify(shares: shares, index: index, commitments: commitments) else {
            throw DKGComplaint("the share does not match the dealer's commitments")
        }
        return shares
    }

    // MARK: - Outcome

    /// Every signed message of a DKG, by phase and author, as a node received them.
    public struct Messages: Sendable {
        public var deals: [String: Data] = [:]
        public var complaints: [String: Data] = [:]
        public var justifications: [String: Data] = [:]
        public init() {}

        /// BLAKE2b-256 over every message in phase and author order: holders confirm this, so
        /// that equal digests mean they saw the same DKG.
        public func digest(epoch: [UInt8]) -> [UInt8] {
            var input = Array("tessera/dkg/digest/v1".utf8) + epoch
            for (label, phase) in [("deals", deals), ("complaints", complaints), ("justifications", justifications)] {
                input += Framing.frame(Array(label.utf8)) + Framing.u32(phase.count)
                for author in phase.keys.sorted() {
                    input += Framing.frame(Array(author.utf8)) + Framing.frame([UInt8](phase[author]!))
                }
            }
            return Blake2b.hash(input, outputLength: 32)
        }
    }

    public struct Outcome: Sendable {
        public let qualified: [String]
        public let excluded: [(holder: String, reason: String)]
        public let key: FederationKey
        public let digest: [UInt8]
    }

    /// QUAL and the key, from a DKG's signed messages (each already checked by signature and
    /// phase by the caller). Deterministic: every honest node computes the same outcome from
    /// the same messages.
    public static func outcome(_ messages: Messages, parameters p: Parameters) throws -> Outcome {
        var excluded: [String: String] = [:]
        var commitments: [String: [[GroupElement]]] = [:]
        for holder in p.holders {
            guard let envelope = messages.deals[holder] else { excluded[holder] = "did not deal in time"; continue }
            let body = try body(of: envelope)
            guard case .dkgDeal(let deal) = body.payload else { throw ProtocolError(.malformed, "deal of \(holder) is not a deal") }
            commitments[holder] = try Self.commitments(of: deal, dealer: holder, parameters: p)
        }
        var accusers: [String: [String]] = [:]
        for (complainer, envelope) in messages.complaints {
            guard case .dkgComplaints(let list) = try body(of: envelope).payload else { continue }
            for complaint in list.complaints where commitments[complaint.dealer] != nil {
                accusers[complaint.dealer, default: []].append(complainer)
            }
        }
        for (dealer, complainers) in accusers {
            if complainers.count >= p.threshold {
                excluded[dealer] = "\(complainers.count) holders complained (threshold \(p.threshold)): \(complainers.sorted().joined(separator: ", "))"
                continue
            }
            let revealed = try revealedShares(messages.justifications[dealer])
            for complainer in complainers.sorted() {
                guard let shares = revealed[complainer], let index = p.index(of: complainer),
                      Dealing.verify(shares: shares, index: index, commitments: commitments[dealer]!) else {
                    excluded[dealer] = "did not answer \(complainer)'s complaint with shares that match its commitments"
                    break
                }
            }
        }
        let qualified = p.holders.filter { commitments[$0] != nil && excluded[$0] == nil }
        guard qualified.count >= p.threshold + 1 else {
            throw ProtocolError(.refused, "DKG of epoch \(p.epoch.hex) failed: \(qualified.count) qualified dealer(s), at least threshold + 1 = \(p.threshold + 1) needed; excluded: \(excluded.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; "))")
        }
        let key = try FederationKey(epoch: p.epoch, holders: p.holders, qualified: qualified, threshold: p.threshold,
                                    dealerCommitments: qualified.map { commitments[$0]! })
        return Outcome(qualified: qualified, excluded: excluded.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                       key: key, digest: messages.digest(epoch: p.epoch))
    }

    /// The revealed shares of a justification, by complainer.
    public static func revealedShares(_ envelope: Data?) throws -> [String: [Scalar]] {
        guard let envelope, case .dkgJustification(let justification) = try body(of: envelope).payload else { return [:] }
        var out: [String: [Scalar]] = [:]
        for revealed in justification.shares {
            out[revealed.recipient] = try? [Scalar](concatenated: revealed.shares, count: revealed.shares.count / 32, what: "revealed share")
        }
        return out
    }

    /// The body of a stored, already verified envelope.
    static func body(of envelope: Data) throws -> Tessera_V1_Body {
        try Tessera_V1_Body(serializedBytes: try Tessera_V1_Envelope(serializedBytes: envelope).body)
    }

    /// The confirmation a holder sends once it has computed the outcome.
    public static func confirmation(_ outcome: Outcome, parameters p: Parameters) -> Tessera_V1_DkgConfirmation {
        .with {
            $0.epoch = Data(p.epoch)
            $0.qualified = outcome.qualified
            $0.publicKey = Data(outcome.key.publicKey.encoded)
            $0.digest = Data(outcome.digest)
        }
    }

    /// Whether a confirmation agrees with the outcome this node computed.
    public static func agrees(_ confirmation: Tessera_V1_DkgConfirmation, with outcome: Outcome) -> Bool {
        confirmation.qualified == outcome.qualified && [UInt8](confirmation.publicKey) == outcome.key.publicKey.encoded
            && [UInt8](confirmation.digest) == outcome.digest
    }

    /// Confirmations needed before a node uses the key: t + 1 qualified holders who saw the
    /// same DKG. With t > (n + f)/2, two groups of t + 1 that saw different DKGs would have to
    /// share an honest holder, who confirms only one.
    public static func confirmationsNeeded(_ p: Parameters) -> Int { p.threshold + 1 }

    public static func result(_ outcome: Outcome, parameters p: Parameters) -> Tessera_V1_DkgResult {
        .with {
            $0.epoch = Data(p.epoch)
            $0.qualified = outcome.qualified
            $0.publicKey = Data(outcome.key.publicKey.encoded)
            $0.excluded = outcome.excluded.map { e in .with { $0.holder = e.holder; $0.reason = e.reason } }
        }
    }
}

/// Why a holder complains about a dealer.
public struct DKGComplaint: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Length framing for DKG digests (u32 big-endian length, then the bytes).
enum Framing {
    static func u32(_ n: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(n).bigEndian, Array.init) }
    static func frame(_ bytes: [UInt8]) -> [UInt8] { u32(bytes.count) + bytes }
}
