package dev.zerolm.serve;

import java.time.Duration;

/**
 * How a server listens and what it allows.
 *
 * @param port         0 picks a free port (tests)
 * @param maxBodyBytes larger request bodies get 413
 * @param maxTokensCap no request generates more tokens per choice than this
 * @param timeout      a request still running (or queued) after this gets 504, its generation stopped
 * @param queueSize    requests that may wait for a worker; more get 429 with Retry-After
 * @param workers      requests in progress at once, each with its own KV cache
 * @param batchRows    the most choices of concurrent requests one decoding step advances together ({@link DecodeBatcher});
 *                     1 turns batching off: each request then decodes alone on its worker
 */
public record ServeConfig(String host, int port, ApiKeys apiKeys, long maxBodyBytes, int maxTokensCap, Duration timeout,
                          int queueSize, int workers, int batchRows) {

    public ServeConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("serve: --port must be in [0, 65535], got " + port);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("serve: --max-body-bytes must be positive, got " + maxBodyBytes);
        if (maxTokensCap < 1) throw new IllegalArgumentException("serve: --max-tokens-cap must be positive, got " + maxTokensCap);
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("serve: --timeout-s must be positive, got " + timeout);
        if (queueSize < 0) throw new IllegalArgumentException("serve: --queue-size must be >= 0, got " + queueSize);
        if (workers < 1) throw new IllegalArgumentException("serve: --workers must be >= 1, got " + workers);
        if (batchRows < 1) throw new IllegalArgumentException("serve: --batch-rows must be >= 1, got " + batchRows);
    }

    /** Localhost, no keys, 1 MiB bodies, 512 tokens, 60 s, a queue of 16, 8 workers and decoding steps of up to 8 choices. */
    public static ServeConfig defaults(int port) {
        return new ServeConfig("127.0.0.1", port, ApiKeys.none(), 1 << 20, 512, Duration.ofSeconds(60), 16, 8, 8);
    }

    public ServeConfig withApiKeys(ApiKeys keys) {
        return new ServeConfig(host, port, keys, maxBodyBytes, maxTokensCap, timeout, queueSize, workers, batchRows);
    }

    public ServeConfig withLimits(int queueSize, int workers, Duration timeout) {
        return new ServeConfig(host, port, apiKeys, maxBodyBytes, maxTokensCap, timeout, queueSize, workers, batchRows);
    }

    public ServeConfig withMaxBodyBytes(long bytes) {
        return new ServeConfig(host, port, apiKeys, bytes, maxTokensCap, timeout, queueSize, workers, batchRows);
    }

    public ServeConfig withBatchRows(int rows) {
        return new ServeConfig(host, port, apiKeys, maxBodyBytes, maxTokensCap, timeout, queueSize, workers, rows);
    }
}
