package io.sessionlake.session;

/**
 * One changelog row: a new version of a session, or a tombstone ({@code deleted}) for a session id that
 * disappeared because it merged into another. The current answer per id is its highest revision.
 */
public record SessionRevision(Session session, long revision, boolean deleted) {
}
