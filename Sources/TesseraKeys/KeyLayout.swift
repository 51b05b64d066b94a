/// File names, and where each file lives.
///
/// A node directory (written by `tessera keys request`, completed by `tessera keys install`):
///
///     request.json                      public: the enrollment request (id, CSR, public keys)
///     key.pem                           secret (0600): TLS key, SEC1 "EC PRIVATE KEY" (P-256)
///     signing.key                       secret (0600): Ed25519, PKCS#8 PEM
///     sealing.key                       secret (0600): X25519, PKCS#8 PEM
///     cert.pem  ca.pem  manifest.json   public, from the CA operator (install)
///     paillier-dealing.json             public, from the dealer (install --dealing)
///
/// A CA directory (`tessera keys ca init`): ca.pem, ca-key.pem (secret, SEC1).
///
/// A federation directory (the committed TEST federations, `tessera keys init`):
///
///     manifest.json  ca.pem  ca-key.pem (0600)  paillier-dealing.json
///     coordinator/{cert.pem, key.pem, signing.key, sealing.key}
///     participants/ID/{cert.pem, key.pem, signing.key, sealing.key}
///     dealer/{signing.key, sealing.key}
///     principals/ID/{cert.pem, key.pem, signing.key, sealing.key}   (API users, if any)
///
/// Directories holding secrets are 0700.
public enum KeyLayout {
    public static let manifest = "manifest.json"
    public static let caCertificate = "ca.pem"
    public static let caPrivateKey = "ca-key.pem"
    public static let certificate = "cert.pem"
    public static let privateKey = "key.pem"
    public static let signingKey = "signing.key"
    public static let sealingKey = "sealing.key"
    public static let request = "request.json"
    public static let dealing = "paillier-dealing.json"
    public static let coordinatorDirectory = "coordinator"
    public static let dealerDirectory = "dealer"

    /// A node's directory inside a federation directory: "coordinator", "dealer" or
    /// "participants/ID".
    public static func nodeDirectory(_ id: String, role: NodeRole) -> String {
        switch role {
        case .coordinator: return coordinatorDirectory
        case .dealer: return dealerDirectory
        case .participant: return "participants/" + id
        case .operator, .analyst, .steward, .auditor: return "principals/" + id
        }
    }

    /// The secret files a node of `role` keeps (relative to its node directory).
    public static func secretFiles(role: NodeRole) -> [String] {
        role == .dealer ? [signingKey, sealingKey] : [privateKey, signingKey, sealingKey]
    }
}
