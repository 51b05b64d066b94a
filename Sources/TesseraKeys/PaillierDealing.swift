import Foundation
import TesseraCrypto
import TesseraMath
import TesseraRandom

/// `paillier-dealing.json` (`tessera/paillier-dealing/v1`): the dealer's output for the
/// packed Paillier scheme. Public: the threshold public key (`ThresholdKeyFile`), and each
/// holder's key share (`KeyShareFile` JSON) sealed anonymously (`SealedBox.sealAnonymously`,
/// libsodium `crypto_box_seal`) to that holder's X25519 sealing key from the manifest, so only
/// that holder opens it. `signature` is base64 Ed25519 by the manifest's dealer over the
/// canonical body; `epoch` binds the dealing to one signed manifest.
///
/// Trust: the dealer generates p and q and so could decrypt everything it is shown; it
/// forgets them when it finishes and writes no secret to disk, but privacy under this
/// scheme needs the dealer not to collude with the coordinator.
public struct PaillierDealing: Codable, Sendable {
    public static let format = "tessera/paillier-dealing/v1"

    public struct Share: Codable, Sendable, Hashable {
        public var participant: String
        /// The share index: the position (1-based) of the participant among the sorted holders.
        public var index: Int
        /// base64 of the sealed `KeyShareFile` JSON.
        public var sealed: String
    }

    public var format: String
    public var federation: String
    public var warning: String?
    /// The manifest's epoch, hex.
    public var epoch: String
    public var threshold: Int
    public var publicKey: ThresholdKeyFile
    public var shares: [Share]
    /// The dealer's id in the manifest.
    public var dealer: String
    public var signature: String?

    static let fields: Set<String> = ["format", "federation", "warning", "epoch", "threshold", "publicKey", "shares", "dealer", "signature"]

    public func canonicalBody() throws -> [UInt8] {
        var body = self
        body.signature = nil
        return try CanonicalJSON.encode(body)
    }

    public func signed(with key: SigningKey) throws -> PaillierDealing {
        var copy = self
        copy.signature = Data(key.sign(try canonicalBody())).base64EncodedString()
        return copy
    }

    public static func read(path: String) throws -> PaillierDealing {
        guard FileManager.default.fileExists(atPath: path) else { throw FederationKeysError.missingFile(path: path) }
        let data: Data
        do { data = try FileBytes.read(path) } catch let error as KeyFileError {
            throw FederationKeysError.invalidDealing(path: path, reason: "\(error)")
        }
        return try decode(data, path: path)
    }

    /// A dealing file's bytes (`path` names it in errors): its format and fields, no others.
    public static func decode(_ data: Data, path: String) throws -> PaillierDealing {
        do {
            let dealing = try KeyFiles.decode(PaillierDealing.self, from: data, path: path, format: format)
            try JSONFields.check(data, allowed: fields, nested: ["shares": ["participant", "index", "sealed"]], path: path)
            return dealing
        } catch let error as KeyFileError {
            throw FederationKeysError.invalidDealing(path: path, reason: "\(error)")
        }
    }

    /// Checks the dealing against a verified manifest: same federation and epoch, made and
    /// signed by the manifest's dealer, one share per holder in order (index = position among
    /// the sorted holders), the threshold rule, and a well-formed public key.
    @discardableResult
    public func verify(against manifest: FederationManifest, path: String) throws -> ThresholdPublicKey {
        try checkStructure(against: manifest, path: path)
        return try checkedKey(path: path)
    }

    /// Every check of `verify` but the public key's: format, federation, epoch, the dealer and
    /// its signature, the holders and indices, the threshold rule, the sealed shares' encoding.
    public func checkStructure(against manifest: FederationManifest, path: String) throws {
        func fail(_ reason: String) -> FederationKeysError { .invalidDealing(path: path, reason: reason) }
        guard format == Self.format else { throw fail("format is \(format.debugDescription), expected \(Self.format.debugDescription)") }
        guard federation == manifest.federation else {
            throw fail("it is for federation \(federation.debugDescription), the manifest is \(manifest.federation.debugDescription)")
        }
        let manifestEpoch = try manifest.epoch.hex
        guard epoch == manifestEpoch else {
            throw fail("it was dealt for the manifest of epoch \(epoch), this manifest's epoch is \(manifestEpoch) (deal again for this manifest)")
        }
        guard let dealerMember = manifest.dealer else { throw fail("the manifest lists no dealer, so no dealing can be checked") }
        guard dealer == dealerMember.id else {
            throw fail("dealer \(dealer.debugDescription) is not the manifest's dealer \(dealerMember.id.debugDescription)")
        }
        guard let signature, let bytes = Data(base64Encoded: signature) else {
            throw fail("no valid \"signature\": a dealing must be signed by the dealer")
        }
        guard dealerMember.signingKey.isValidSignature([UInt8](bytes), for: try canonicalBody()) else {
            throw fail("the dealer's signature does not verify with the manifest's signing key for \(dealer) (altered, or not made by the dealer)")
        }
        let holders = manifest.holders
        guard shares.map(\.participant) == holders else {
            throw fail("shares are for \(shares.map(\.participant)), the manifest's holders are \(holders)")
        }
        guard shares.map(\.index) == Array(1...holders.count) else { throw fail("share indices must be 1...\(holders.count) in order") }
        do { try ThresholdRule.check(threshold: threshold, holders: holders.count) } catch { throw fail("\(error)") }
        for share in shares {
            guard let sealed = Data(base64Encoded: share.sealed), sealed.count > SealedBox.anonymousOverhead else {
                throw fail("the sealed share of \(share.participant) is not base64 of a sealed box")
            }
        }
    }

    /// The public key, parsed (its DJN precomputation is a full-size exponentiation) and matched
    /// to the dealing's threshold and share count.
    func checkedKey(path: String) throws -> ThresholdPublicKey {
        func fail(_ reason: String) -> FederationKeysError { .invalidDealing(path: path, reason: reason) }
        let key: ThresholdPublicKey
        do { key = try publicKey.publicKey(path: path) } catch { throw fail("publicKey: \(error)") }
        guard key.threshold == threshold, key.shareCount == shares.count else {
            throw fail("publicKey is \(key.threshold) of \(key.shareCount), the dealing says \(threshold) of \(shares.count)")
        }
        return key
    }

    /// The key share sealed for `id`, opened with its sealing key and checked (index, key id,
    /// verification key); nil if `id` holds no share. A box that does not open with `id`'s key,
    /// or that holds another holder's share, is refused naming the problem.
    public func openShare(for id: String, with sealingKey: SealingPrivateKey, key: ThresholdPublicKey,
                          path: String, keyPath: String = KeyLayout.sealingKey) throws -> KeyShare? {
        guard let entry = shares.first(where: { $0.participant == id }) else { return nil }
        func fail(_ reason: String) -> FederationKeysError { .invalidDealing(path: path, reason: reason) }
        guard let sealed = Data(base64Encoded: entry.sealed) else { throw fail("the sealed share of \(id) is not base64") }
        let plaintext: [UInt8]
        do { plaintext = try SealedBox.openAnonymous([UInt8](sealed), with: sealingKey) } catch {
            throw fail("the share sealed for \(id) does not open with \(id)'s sealing key (\(keyPath)): it is addressed to another node, or altered")
        }
        let file: KeyShareFile
        do { file = try KeyFiles.decode(KeyShareFile.self, from: Data(plaintext), path: path + " (share of \(id))", format: KeyShareFile.format) } catch {
            throw fail("the share sealed for \(id) is not a key share (\(error))")
        }
        guard file.index == entry.index else {
            throw fail("the share sealed for \(id) is share \(file.index), but \(id) is holder \(entry.index): it is another holder's share")
        }
        do { return try file.share(for: key, path: path + " (share of \(id))") } catch {
            throw fail("the share sealed for \(id) does not match the dealing's public key (\(error))")
        }
    }
}

/// `tessera keys deal`: the Paillier dealer, an explicit role separate from the CA and the
/// coordinator. It generates the threshold Paillier key in memory, seals each share to its
/// holder, signs the dealing, and keeps nothing secret: p, q and the shares exist only in
/// this process.
public enum PaillierDealer {
    /// Generates a `bits`-bit key from `keyRandom` and deals it (`deal(key:)`).
    public static func deal<K: RandomSource, S: RandomSource>(
        manifest: FederationManifest, dealerID: String, signingKey: SigningKey, threshold: Int, bits: Int,
        warning: String? = nil, keyRandom: inout K, sealRandom: inout S) throws -> PaillierDealing {
        try checkDealer(manifest: manifest, dealerID: dealerID, signingKey: signingKey, threshold: threshold)
        guard bits % 2 == 0, (512...8192).contains(bits) else {
            throw KeyCeremonyError.invalidParameter("--bits \(bits): the Paillier modulus must be an even size in 512...8192")
        }
        let key = try PaillierKeyGeneration.generate(bits: bits, using: &keyRandom)
        return try deal(manifest: manifest, dealerID: dealerID, signingKey: signingKey, threshold: threshold, key: key,
                        warning: warning, keyRandom: &keyRandom, sealRandom: &sealRandom)
    }

    /// Deals an existing safe-prime key to the manifest's holders: share i (1-based, in the
    /// sorted holder order) sealed to holder i's sealing key.
    public static func deal<K: RandomSource, S: RandomSource>(
        manifest: FederationManifest, dealerID: String, signingKey: SigningKey, threshold: Int, key: PaillierPrivateKey,
        warning: String? = nil, keyRandom: inout K, sealRandom: inout S) throws -> PaillierDealing {
        try checkDealer(manifest: manifest, dealerID: dealerID, signingKey: signingKey, threshold: threshold)
        let holders = manifest.holders
        let (publicKey, shares) = try ThresholdDealer.deal(key: key, threshold: threshold, shareCount: holders.count, using: &keyRandom)
        var sealed: [PaillierDealing.Share] = []
        for (id, share) in zip(holders, shares) {
            guard let member = manifest.participant(id) else { throw KeyCeremonyError.invalidParameter("holder \(id) is not a participant") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let plaintext = [UInt8](try encoder.encode(KeyShareFile(share, keyID: publicKey.id)))
            let box = SealedBox.sealAnonymously(plaintext, to: member.sealingKey, using: &sealRandom)
            sealed.append(.init(participant: id, index: share.index, sealed: Data(box).base64EncodedString()))
        }
        let dealing = try PaillierDealing(format: PaillierDealing.format, federation: manifest.federation, warning: warning,
                                          epoch: try manifest.epoch.hex, threshold: threshold,
                                          publicKey: ThresholdKeyFile(publicKey, warning: warning), shares: sealed,
                                          dealer: dealerID, signature: nil).signed(with: signingKey)
        try dealing.verify(against: manifest, path: KeyLayout.dealing)
        return dealing
    }

    static func checkDealer(manifest: FederationManifest, dealerID: String, signingKey: SigningKey, threshold: Int) throws {
        guard let dealer = manifest.dealer else {
            throw KeyCeremonyError.invalidParameter("the manifest lists no dealer: enroll one (tessera keys request --role dealer) and sign again")
        }
        guard dealer.id == dealerID, dealer.signingKey == signingKey.verifyingKey else {
            throw KeyCeremonyError.invalidParameter("these keys (\(dealerID)) are not the manifest's dealer \(dealer.id): its signing key differs")
        }
        try ThresholdRule.check(threshold: threshold, holders: manifest.holders.count)
    }
}
