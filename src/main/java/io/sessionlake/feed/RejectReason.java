package io.sessionlake.feed;

/** Why a line could not become an event. The codes are part of the run report contract (SPEC 2). */
public enum RejectReason {
    INVALID_JSON("invalid_json"),
    BAD_ID("bad_id"),
    MISSING_TYPE("missing_type"),
    MISSING_TIMESTAMP("missing_timestamp"),
    BAD_TIMESTAMP("bad_timestamp"),
    BAD_CUSTOMER_ID("bad_customer_id"),
    LINE_TOO_LONG("line_too_long");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
