import Foundation
import Testing
import TesseraKeys
import X509

/// keys/test is what the network tests and demos run against: it must load and verify.
@Suite struct CommittedTestFederationTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("keys/test").path

    @Test func loadsCompletelyAndSaysItIsATest() throws {
        let dir = Self.directory
        let keys = try FederationKeys.load(directory: dir)
        #expect(keys.manifest.federation == "test" && keys.manifest.threshold == 2)
        #expect(keys.manifest.participants.map(\.id) == ["brand-a", "brand-b", "brand-c"])
        #expect(keys.thresholdKey.paillier.n.bitWidth == 2048)
        #expect(keys.manifest.warning?.contains("TEST") == true)
        #expect(try read(dir + "/README.md").contains("SECRETS ARE PUBLIC"))
        _ = try keys.coordinatorIdentity()
        for id in ["brand-a", "brand-b", "brand-c"] {
            #expect(try keys.participantIdentity(id).1.index == keys.manifest.participant(id)?.shareIndex)
            let result = try openssl(["verify", "-CAfile", dir + "/ca.pem", dir + "/participants/\(id)/cert.pem"])
            #expect(result.status == 0, "\(id): \(result.output)")
        }
        // Long-lived enough not to break the tests for years.
        let ca = try Certificate(pemEncoded: try read(dir + "/ca.pem"))
        #expect(ca.notValidAfter > Date().addingTimeInterval(3 * 365 * 86400))
    }
}
