import Foundation
import Testing
import TesseraCrypto
import TesseraKeys
import X509

/// keys/test, keys/test-5 and keys/test-20 are what the network tests, simulations and
/// demos run against: they must load and verify. Git checks files out 0644, which nodes
/// refuse for secrets (scripts/bootstrap sets 0600), so each test works on a copy whose
/// modes it sets the way bootstrap does.
@Suite struct CommittedTestFederationTests {
    static let keys = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("keys").path

    struct Expected: Sendable, CustomStringConvertible {
        let name: String
        let participants: [String]
        let holders: [String]
        let threshold: Int
        let seed: UInt64
        var description: String { name }
    }

    static let letters = (0..<20).map { "brand-" + String(Character(UnicodeScalar(UInt8(97 + $0)))) }
    static let federations = [
        Expected(name: "test", participants: Array(letters.prefix(3)), holders: Array(letters.prefix(3)), threshold: 2, seed: 424242),
        Expected(name: "test-5", participants: Array(letters.prefix(5)), holders: Array(letters.prefix(5)), threshold: 3, seed: 555555),
        Expected(name: "test-20", participants: letters, holders: Array(letters.prefix(5)), threshold: 3, seed: 202020),
    ]

    /// A copy with the modes scripts/bootstrap sets: secrets 0600, their directories 0700.
    static func copyWithModes(_ name: String) throws -> String {
        let dir = try Fixtures.copy(keys + "/" + name)
        for path in files(under: dir) {
            let base = (path as NSString).lastPathComponent
            if base.contains("key") && !base.hasSuffix(".pub") { chmod(path, 0o600); chmod((path as NSString).deletingLastPathComponent, 0o700) }
        }
        return dir
    }

    @Test(arguments: federations)
    func loadsCompletelyAndSaysItIsATest(_ expected: Expected) throws {
        let dir = try Self.copyWithModes(expected.name)
        let keys = try FederationKeys.load(directory: dir)
        let m = keys.manifest
        #expect(m.federation == expected.name && m.threshold == expected.threshold)
        #expect(m.participants.map(\.id) == expected.participants && m.holders == expected.holders)
        #expect(m.committee == (expected.holders == expected.participants ? nil : expected.holders))
        #expect(m.coordinator?.id == "coordinator" && m.dealer?.id == "dealer")
        #expect(m.warning?.contains("TEST") == true && m.warning?.contains("\(expected.seed)") == true)
        let dealing = try #require(keys.dealing)
        #expect(dealing.warning?.contains("TEST") == true && dealing.threshold == expected.threshold)
        #expect(dealing.shares.map(\.participant) == expected.holders)
        #expect(try keys.thresholdKey.paillier.n.bitWidth == 2048 && keys.thresholdKey.shareCount == expected.holders.count)
        let readme = try read(dir + "/README.md")
        #expect(readme.contains("SECRETS ARE PUBLIC") && readme.contains("--seed \(expected.seed)") && readme.contains("scripts/bootstrap"))
        #expect(!files(under: dir).contains { $0.hasSuffix("paillier-share.json") }, "an unsealed v1 share is still committed")
        _ = try keys.coordinatorIdentity()
        _ = try keys.dealerIdentity()
        for id in expected.participants {
            let (_, share) = try keys.participantIdentity(id)
            #expect(share?.index == expected.holders.firstIndex(of: id).map { $0 + 1 }, "\(id)")
            let result = try openssl(["verify", "-CAfile", dir + "/ca.pem", dir + "/participants/\(id)/cert.pem"])
            #expect(result.status == 0, "\(id): \(result.output)")
        }
        let info = try keys.federationInfo
        #expect(info.holders == expected.holders && info.keyThreshold == expected.threshold && info.thresholdKey?.threshold == expected.threshold)
        // Long-lived enough not to break the tests for years.
        let ca = try Certificate(pemEncoded: try read(dir + "/ca.pem"))
        #expect(ca.notValidAfter > Date().addingTimeInterval(3 * 365 * 86400))
    }

    /// As checked out by git (0644), the secrets are refused by name until their modes are set.
    @Test func checkedOutModesAreRefusedUntilSet() throws {
        let dir = try Self.copyWithModes("test")
        let path = dir + "/participants/brand-b/key.pem"
        chmod(path, 0o644)
        let message = failure { _ = try FederationKeys.load(directory: dir).participantIdentity("brand-b") }
        #expect(message == "\(path): mode 0644 lets others read or write this secret; run chmod 600 \(path)")
    }

    /// scripts/bootstrap sets the modes that nodes require on the committed secrets.
    @Test func bootstrapSetsTheModesOfTheCommittedSecrets() throws {
        let script = try read(Self.keys + "/../scripts/bootstrap")
        #expect(script.contains("chmod 600") && script.contains("chmod 700") && script.contains("keys/test"))
    }
}
