package dev.zerolm.serve;

/**
 * A request that fails with an HTTP status and OpenAI's error body
 * {@code {"error": {"message", "type", "param", "code"}}}; clients of the OpenAI API read exactly these fields.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiException(int status, String type, String param, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: the request names a bad value (param is the offending field, or null). */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, null, message);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "invalid_request_error", null, "invalid_api_key", message);
    }

    public static ApiException modelNotFound(String model) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist or is not loaded on this server");
    }

    public static ApiException tooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "The request body is larger than this server accepts (" + limit + " bytes)");
    }

    public static ApiException overloaded(int queueSize) {
        return new ApiException(429, "server_busy", null, "rate_limit_exceeded",
                "The server is busy: all workers are generating and the queue of " + queueSize + " is full; retry shortly");
    }

    public static ApiException timeout(long seconds) {
        return new ApiException(504, "timeout", null, "timeout", "The request took longer than the server's limit of "
                + seconds + " s");
    }

    public static ApiException shuttingDown() {
        return new ApiException(503, "server_error", null, "shutting_down", "The server is shutting down; retry on another instance");
    }

    public static ApiException internal(String message) {
        return new ApiException(500, "server_error", null, null, message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
