package io.sessionlake.run;

/**
 * A setting that sessionlake refuses to start with: no run could be right with it. Not retryable; the
 * message names the setting, what is wrong and what to set instead.
 */
public final class ConfigurationException extends RuntimeException {
    public ConfigurationException(String setting, String problem) {
        super("configuration error: " + setting + " " + problem);
    }
}
