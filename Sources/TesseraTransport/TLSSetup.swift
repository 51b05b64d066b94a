import NIOSSL

/// TLS configurations of the federation: TLS 1.3 only, mutual authentication, and trust in
/// the federation CA alone (never the system store).
public struct TLSIdentity: Sendable {
    public let certificateChainPEM: String
    public let privateKeyPEM: String
    public let trustedCAPEM: String

    public init(certificateChainPEM: String, privateKeyPEM: String, trustedCAPEM: String) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.trustedCAPEM = trustedCAPEM
    }

    func material() throws -> ([NIOSSLCertificateSource], NIOSSLPrivateKeySource, NIOSSLTrustRoots) {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        let ca = try NIOSSLCertificate.fromPEMBytes(Array(trustedCAPEM.utf8))
        return (chain, .privateKey(key), .certificates(ca))
    }

    /// Server side: a client certificate is required and must chain to the federation CA;
    /// names are checked against the manifest after the handshake, not by TLS.
    public func serverContext() throws -> NIOSSLContext { try NIOSSLContext(configuration: try serverConfiguration()) }

    /// The server configuration itself (the job API's HTTP server builds its own context).
    public func serverConfiguration() throws -> TLSConfiguration {
        let (chain, key, roots) = try material()
        var config = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
        config.minimumTLSVersion = .tlsv13
        config.maximumTLSVersion = .tlsv13
        config.certificateVerification = .noHostnameVerification
        config.trustRoots = roots
        return config
    }

    /// Client side: full verification of the coordinator's certificate (CA and host name).
    public func clientContext() throws -> NIOSSLContext {
        let (chain, key, roots) = try material()
        var config = TLSConfiguration.makeClientConfiguration()
        config.certificateChain = chain
        config.privateKey = key
        config.minimumTLSVersion = .tlsv13
        config.maximumTLSVersion = .tlsv13
        config.certificateVerification = .fullVerification
        config.trustRoots = roots
        return try NIOSSLContext(configuration: config)
    }
}
