package dev.zerolm.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/** The server's Prometheus metrics, in a registry of its own (so several servers in one JVM do not collide). */
public final class ServeMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter requests = Counter.builder().name("zerolm_http_requests_total")
            .help("HTTP requests by route and status code").labelNames("route", "status").register(registry);
    private final Counter tokens = Counter.builder().name("zerolm_generated_tokens_total")
            .help("Tokens generated, by model").labelNames("model").register(registry);
    private final Histogram timeToFirstToken = Histogram.builder().name("zerolm_time_to_first_token_seconds")
            .help("From the request's arrival (queueing included) to its first generated token")
            .labelNames("model").classicOnly()
            .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30).register(registry);
    private final Histogram perToken = Histogram.builder().name("zerolm_inter_token_latency_seconds")
            .help("Time between consecutive generated tokens of one request").labelNames("model").classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1).register(registry);

    /**
     * queueDepth: requests waiting for a worker; busy: requests a worker is computing; batchRows: choices the
     * latest decoding steps advanced together, over all models.
     */
    public ServeMetrics(IntSupplier queueDepth, IntSupplier busy, IntSupplier batchRows) {
        GaugeWithCallback.builder().name("zerolm_decode_batch_rows").help("Choices of concurrent requests advanced by one decoding step")
                .callback(cb -> cb.call(batchRows.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("zerolm_queue_depth").help("Requests waiting for a worker")
                .callback(cb -> cb.call(queueDepth.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("zerolm_requests_in_progress").help("Requests a worker is computing")
                .callback(cb -> cb.call(busy.getAsInt())).register(registry);
    }

    public void request(String route, int status) {
        requests.labelValues(route, Integer.toString(status)).inc();
    }

    public void tokens(String model, long count) {
        tokens.labelValues(model).inc(count);
    }

    public void timeToFirstToken(String model, double seconds) {
        timeToFirstToken.labelValues(model).observe(seconds);
    }

    public void interTokenLatency(String model, double seconds) {
        perToken.labelValues(model).observe(seconds);
    }

    public String contentType() {
        return writer.getContentType();
    }

    /** Everything in Prometheus' text exposition format. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("metrics: cannot write the exposition text", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
