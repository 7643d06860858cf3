package io.sessionlake.feed;

/**
 * One accepted click event, typed and normalised: type lower-case, time in UTC microseconds.
 * Fields the feed may omit are null; {@code attributes} holds any other fields verbatim as a JSON object.
 */
public record Event(
        long id,
        String type,
        long customerId,
        long timeMicros,
        String userAgent,
        String ip,
        String page,
        String referrer,
        String query,
        String product,
        Integer position,
        String attributes) implements ParsedLine {

    @Override
    public Event event() {
        return this;
    }

    /** Events of a customer are ordered by (timestamp, id): ties on time go to the lower id. */
    public static int compareTimeThenId(long timeA, long idA, long timeB, long idB) {
        int byTime = Long.compare(timeA, timeB);
        return byTime != 0 ? byTime : Long.compare(idA, idB);
    }
}
