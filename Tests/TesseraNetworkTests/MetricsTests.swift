import Testing
import TesseraTransport

/// The registry's exposition (swift-prometheus): declared counters, gauges and histograms,
/// labels in name order whatever the caller's order, one series per label set.
@Suite struct MetricsTests {
    @Test func expositionHasEverySeries() {
        let m = Metrics()
        m.increment("tessera_bytes_sent_total", labels: ["participant": "brand-a"], by: 100)
        m.increment("tessera_bytes_sent_total", labels: ["participant": "brand-a"], by: 23)
        m.increment("tessera_api_requests_total", labels: ["status": "200", "action": "health"])
        m.set("tessera_connected_participants", 3)
        m.observe("tessera_phase_duration_seconds", labels: ["phase": "decrypt"], seconds: 0.3)
        m.observe("tessera_phase_duration_seconds", labels: ["phase": "decrypt"], seconds: 7)
        let text = m.exposition()
        #expect(text.contains("# TYPE tessera_bytes_sent_total counter"))
        #expect(text.contains("# HELP tessera_bytes_sent_total Bytes sent per participant"))
        #expect(text.contains("tessera_bytes_sent_total{participant=\"brand-a\"} 123"))
        #expect(text.contains("tessera_api_requests_total{action=\"health\",status=\"200\"} 1"))
        #expect(text.contains("tessera_connected_participants 3"))
        #expect(text.contains("# TYPE tessera_phase_duration_seconds histogram"))
        #expect(text.contains("tessera_phase_duration_seconds_bucket{phase=\"decrypt\",le=\"0.5\"} 1"))
        #expect(text.contains("tessera_phase_duration_seconds_bucket{phase=\"decrypt\",le=\"10.0\"} 2"))
        #expect(text.contains("tessera_phase_duration_seconds_count{phase=\"decrypt\"} 2"))
    }
}
