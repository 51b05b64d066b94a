import Foundation
import TesseraProtocol

/// A fault a simulation injects into one participant (simulations/README.md §"Faults").
/// Faults exercise the federation's handling of failures through the real code paths: a
/// dropped node really stops talking, a malformed frame really goes over TLS.
public struct Fault: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// Stops for good when asked for its update (a crash before submitting).
        case dropBeforeSubmit = "drop-before-submit"
        /// Submits, then stops for good when asked for its partial decryptions.
        case dropBeforeShare = "drop-before-share"
        /// Answers the round's request `seconds` late (within the round timeout, nothing changes).
        case late
        /// Sends a frame that is not an envelope before its submission.
        case malformed
        /// Re-sends its previous signed message (a replay) before its submission.
        case replay
        /// Submits, and stops for good once the coordinator has acknowledged the submission
        /// (a crash after submitting: its update must still count).
        case dropAfterSubmit = "drop-after-submit"
        /// One-shot scheme: masks the update under one secret and encrypts another in its key
        /// layer. Both halves are well-formed and signed, so only the coordinator's residue
        /// check at decoding can see it (detected, not attributable).
        case inconsistentMask = "inconsistent-mask"
        /// DKG (as a dealer; `job` and `round` are ignored): seals to `target` a share that does
        /// not match its commitments, then answers the complaint honestly (the justification
        /// reveals the true share, which verifies, so the dealer stays qualified).
        case dkgBadShare = "dkg-bad-share"
        /// DKG: the same bad share to `target`, and a justification that reveals a share that
        /// does not match the commitments either, so the dealer is disqualified.
        case dkgFalseJustification = "dkg-false-justification"
    }

    public var kind: Kind
    public var participant: String
    /// The job the fault applies to (every job if nil) and its round.
    public var job: String?
    public var round: Int
    public var seconds: Double?
    /// The holder a DKG fault is aimed at (`dkg-bad-share`, `dkg-false-justification`).
    public var target: String?

    public init(kind: Kind, participant: String, job: String? = nil, round: Int, seconds: Double? = nil, target: String? = nil) {
        self.kind = kind
        self.participant = participant
        self.job = job
        self.round = round
        self.seconds = seconds
        self.target = target
    }

    func applies(to job: String, round: Int) -> Bool { (self.job == nil || self.job == job) && self.round == round }

    /// DKG faults are per epoch, not per job and round.
    var isDKG: Bool { kind == .dkgBadShare || kind == .dkgFalseJustification }

    public var description: String {
        if isDKG { return "\(kind.rawValue) by \(participant) to \(target ?? "?") in the DKG" }
        return "\(kind.rawValue) by \(participant) in round \(round)\(job.map { " of \($0)" } ?? "")\(seconds.map { " (\($0) s)" } ?? "")"
    }

    /// The bytes a `malformed` fault sends: a truncated varint, which no envelope parser accepts.
    static let malformedFrame = Data([0x0a, 0xff, 0xff, 0xff])

    public static func load(path: String?, participant: String) throws -> [Fault] {
        guard let path else { return [] }
        do {
            return try ReadableErrors.decodeJSONFile([Fault].self, path: path, what: "faults file").filter { $0.participant == participant }
        } catch {
            throw DataError("\(error)")
        }
    }
}
