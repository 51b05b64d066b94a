/// Where a ceremony puts each file, relative to its output directory:
///
///     manifest.json  ca.pem  ca-key.pem (0600)
///     coordinator/{cert.pem, key.pem (0600), signing.key (0600)}
///     participants/ID/{cert.pem, key.pem (0600), signing.key (0600), paillier-share.json (0600)}
///
/// A node needs only manifest.json, ca.pem and its own directory; ca-key.pem stays with
/// whoever issues certificates.
public enum KeyLayout {
    public static let manifest = "manifest.json"
    public static let caCertificate = "ca.pem"
    public static let caPrivateKey = "ca-key.pem"
    public static let certificate = "cert.pem"
    public static let privateKey = "key.pem"
    public static let signingKey = "signing.key"
    public static let share = "paillier-share.json"

    /// "coordinator" for the coordinator, "participants/ID" for a participant.
    public static func nodeDirectory(_ id: String) -> String {
        id == FederationManifest.coordinatorID ? id : "participants/" + id
    }
}
