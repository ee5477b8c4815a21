import CoreMetrics
import Prometheus

/// swift-metrics' handlers, backed by one swift-prometheus registry: the daemon counts through
/// the swift-metrics API, and the registry writes the Prometheus text format. Each family gets
/// its `# HELP` line from `catalog` (promtool wants one), and each histogram its buckets.
struct PrometheusBackend: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    let catalog: [String: MetricFamilyInfo]

    func help(_ name: String) -> String { catalog[name]?.help ?? "" }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: help(label))
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(name: label, labels: dimensions, help: help(label))
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(name: label, labels: dimensions, help: help(label)) }
        return registry.makeValueHistogram(name: label, labels: dimensions, buckets: catalog[label]?.values ?? [1, 10, 100],
                                           help: help(label))
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(name: label, labels: dimensions, help: help(label))
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(name: label, labels: dimensions,
                                       buckets: catalog[label]?.durations ?? MetricFamilyInfo.defaultDurations, help: help(label))
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let c = handler as? Prometheus.Counter { registry.unregisterCounter(c) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let c = handler as? Prometheus.Counter { registry.unregisterCounter(c) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let g = handler as? Prometheus.Gauge { registry.unregisterGauge(g) }
        if let h = handler as? ValueHistogram { registry.unregisterValueHistogram(h) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let g = handler as? Prometheus.Gauge { registry.unregisterGauge(g) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let h = handler as? DurationHistogram { registry.unregisterDurationHistogram(h) }
    }
}

/// What a metric family is for, and a histogram's buckets.
struct MetricFamilyInfo: Sendable {
    var help: String
    var durations: [Duration]? = nil
    var values: [Double]? = nil

    static let defaultDurations: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
                                               .milliseconds(500), .seconds(1), .seconds(5), .seconds(30)]
}
