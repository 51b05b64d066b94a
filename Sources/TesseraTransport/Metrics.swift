import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Prometheus

/// A node's metrics, exported in the Prometheus text format by swift-prometheus's
/// `PrometheusCollectorRegistry` (one registry per node, not the process-wide swift-metrics
/// bootstrap: an in-process simulation runs a coordinator and its participants in one process).
///
/// Every metric is declared once in `catalog` with its type and help text (the registry
/// requires one help text per name; an undeclared name is a programming error).
public final class Metrics: Sendable {
    public enum Kind: Sendable { case counter, gauge, histogram }

    public static let catalog: [String: (kind: Kind, help: String)] = [
        "tessera_api_requests_total": (.counter, "Job API requests by action and status"),
        "tessera_api_request_duration_seconds": (.histogram, "Job API request latency by action"),
        "tessera_bytes_received_total": (.counter, "Bytes received per participant"),
        "tessera_bytes_sent_total": (.counter, "Bytes sent per participant"),
        "tessera_connected_participants": (.gauge, "Participants with an open session"),
        "tessera_decryption_request_parts_total": (.counter, "Decryption request messages sent to holders (a request too large for one frame goes in parts)"),
        "tessera_dkg_failures_total": (.counter, "DKGs that failed"),
        "tessera_dkg_messages_total": (.counter, "Accepted DKG messages by kind"),
        "tessera_dkg_seconds": (.gauge, "Duration of the last DKG, from the deals asked to the key confirmed"),
        "tessera_jobs_queued": (.gauge, "Jobs submitted through the API and waiting for the running one"),
        "tessera_messages_total": (.counter, "Accepted messages by kind"),
        "tessera_phase_duration_seconds": (.histogram, "Duration of each completed phase"),
        "tessera_phase_seconds": (.gauge, "Duration of the last completed phase"),
        "tessera_phase_seconds_total": (.counter, "Time spent per phase"),
        "tessera_process_cpu_seconds": (.gauge, "User and system CPU time of this process"),
        "tessera_process_open_files": (.gauge, "File descriptors this process holds open (sockets, state files)"),
        "tessera_process_peak_resident_bytes": (.gauge, "Peak resident memory of this process (VmHWM)"),
        "tessera_process_resident_bytes": (.gauge, "Resident memory of this process (VmRSS)"),
        "tessera_rejections_total": (.counter, "Refused connections and messages by reason"),
        "tessera_remaining_epsilon": (.gauge, "Remaining epsilon each participant declared with its latest decision"),
        "tessera_round_seconds": (.gauge, "Duration of the last round, from its opening to its result"),
        "tessera_rounds_completed_total": (.counter, "Rounds with a released result"),
        "tessera_rounds_refused_total": (.counter, "Rounds whose aggregate did not decode and was not released"),
        "tessera_submission_bytes_total": (.counter, "Bytes of stored submissions per participant"),
        "tessera_submissions_total": (.counter, "Stored submissions"),
    ]

    /// Histogram buckets (seconds): from a fast API answer to a long Paillier decryption.
    public static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

    let registry = PrometheusCollectorRegistry()

    public init() {}

    static func descriptor(_ name: String, _ kind: Kind) -> MetricNameDescriptor {
        guard let entry = catalog[name], entry.kind == kind else {
            preconditionFailure("metric \(name) is not declared as a \(kind) in Metrics.catalog")
        }
        return MetricNameDescriptor(metricName: name, unitName: "", helpText: entry.help)
    }

    /// Label pairs in name order, so that a series is one series however the caller ordered them.
    static func pairs(_ labels: [String: String]) -> [(String, String)] { labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    public func increment(_ name: String, labels: [String: String] = [:], by value: Double = 1) {
        registry.makeCounter(descriptor: Self.descriptor(name, .counter), labels: Self.pairs(labels)).increment(by: value)
    }

    public func set(_ name: String, labels: [String: String] = [:], _ value: Double) {
        registry.makeGauge(descriptor: Self.descriptor(name, .gauge), labels: Self.pairs(labels)).set(to: value)
    }

    /// Records one duration (seconds) in a histogram.
    public func observe(_ name: String, labels: [String: String] = [:], seconds: Double) {
        registry.makeValueHistogram(descriptor: Self.descriptor(name, .histogram), labels: Self.pairs(labels), buckets: Self.buckets).record(seconds)
    }

    /// The text exposition, with this process's memory and open files read at this moment
    /// (what a load test or an operator watches for leaks).
    public func exposition() -> String {
        if let process = ProcessFigures.now() {
            set("tessera_process_resident_bytes", Double(process.residentBytes))
            set("tessera_process_peak_resident_bytes", Double(process.peakResidentBytes))
            set("tessera_process_open_files", Double(process.openFiles))
            set("tessera_process_cpu_seconds", process.cpuSeconds)
        }
        return registry.emitToString()
    }
}

/// A minimal HTTP/1.1 endpoint that answers every request with the metrics (plain text, no TLS;
/// bind it to loopback or a scrape network).
public enum MetricsServer {
    public static func start(host: String, port: Int, metrics: Metrics,
                             group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Responder(metrics: metrics)) }
            }
            .bind(host: host, port: port).get()
    }

    final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let metrics: Metrics
        var request = ""
        init(metrics: Metrics) { self.metrics = metrics }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            request += buffer.readString(length: buffer.readableBytes) ?? ""
            guard request.contains("\r\n\r\n") || request.count > 8192 else { return }
            let body = metrics.exposition()
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            let out = context.channel.allocator.buffer(string: head + body)
            context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in context.close(promise: nil) }
        }
    }
}
