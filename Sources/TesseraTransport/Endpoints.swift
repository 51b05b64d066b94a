import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A listening TLS server; each accepted connection is handed to `handle` in its own task.
/// At most `maxConnections` are open at once: one more is closed as soon as it is accepted
/// (`onRefused` counts it); every connection is bounded in time by `limits`.
public final class TransportServer: Sendable {
    public let localPort: Int
    let serverChannel: NIOAsyncChannel<Connection, Never>
    let maxConnections: Int
    private let open = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])

    private init(localPort: Int, serverChannel: NIOAsyncChannel<Connection, Never>, maxConnections: Int) {
        self.localPort = localPort
        self.serverChannel = serverChannel
        self.maxConnections = maxConnections
    }

    public static func bind(host: String, port: Int, tls: NIOSSLContext, frameLimit: Int = TransportDefaults.frameLimit,
                            limits: TransportLimits = TransportLimits(), maxConnections: Int = 1024,
                            group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> TransportServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try Connection.configure(child, tls: NIOSSLServerHandler(context: tls), frameLimit: frameLimit, limits: limits)
                }
            }
        return TransportServer(localPort: channel.channel.localAddress?.port ?? port, serverChannel: channel, maxConnections: maxConnections)
    }

    /// Connections open now.
    public var openConnections: Int { open.withLockedValue { $0.count } }

    /// Accepts connections until the server is closed; returns then.
    public func run(onRefused: @escaping @Sendable (String) -> Void = { _ in }, _ handle: @escaping @Sendable (Connection) async -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await serverChannel.executeThenClose { inbound in
                for try await connection in inbound {
                    let channel = connection.channel.channel
                    let key = ObjectIdentifier(channel)
                    let admitted = self.open.withLockedValue { open -> Bool in
                        guard open.count < self.maxConnections else { return false }
                        open[key] = channel
                        return true
                    }
                    guard admitted else {
                        channel.close(promise: nil)
                        onRefused(connection.remoteAddress)
                        continue
                    }
                    group.addTask {
                        await handle(connection)
                        _ = self.open.withLockedValue { $0.removeValue(forKey: key) }
                    }
                }
            }
        }
    }

    /// Stops accepting and closes every open connection; `run` returns once their handlers end.
    public func close() async {
        try? await serverChannel.channel.close()
        for channel in open.withLockedValue({ Array($0.values) }) { try? await channel.close() }
    }
}

public enum TransportClient {
    /// Connects to the coordinator; the TLS handshake verifies its certificate for `serverName`.
    public static func connect(host: String, port: Int, serverName: String, tls: NIOSSLContext,
                               frameLimit: Int = TransportDefaults.frameLimit,
                               group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Connection {
        try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Connection.configure(channel, tls: NIOSSLClientHandler(context: tls, serverHostname: serverName),
                                             frameLimit: frameLimit)
                }
            }
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, released):
/// for a process that must be told its port before it starts, or must bind it again after a
/// restart so that its peers reconnect to the same address.
public enum LoopbackPort {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String { "no free TCP port on 127.0.0.1 (bind or getsockname failed)" }
    }

    /// 127.0.0.1:port as a socket address.
    public static func address(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7f00_0001).bigEndian)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Unavailable() }
        defer { close(fd) }
        var address = address(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Unavailable() }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
