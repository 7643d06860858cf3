package io.sessionlake.metrics;

/** Session duration figures for one referrer host ({@code null} host: sessions without a referrer). */
public record ReferrerDurations(String referrerHost, long sessions, Double medianMinutes, Double p90Minutes) {
}
