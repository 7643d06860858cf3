package io.sessionlake.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** "--name value" and "--flag" options of one command; unknown options are an error, not ignored. */
final class Args {
    private final String command;
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final Set<String> used = new HashSet<>();

    Args(String command, List<String> argv, Set<String> flagNames) {
        this.command = command;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq > 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (flagNames.contains(name)) {
                flags.add(name);
            } else if (i + 1 < argv.size()) {
                values.put(name, argv.get(++i));
            } else {
                throw new UsageException(command + ": option --" + name + " needs a value");
            }
        }
    }

    String required(String name) {
        String v = optional(name, null);
        if (v == null) {
            throw new UsageException(command + ": missing --" + name);
        }
        return v;
    }

    String optional(String name, String fallback) {
        used.add(name);
        return values.getOrDefault(name, fallback);
    }

    boolean flag(String name) {
        used.add(name);
        return flags.contains(name);
    }

    long longValue(String name, long fallback) {
        String v = optional(name, null);
        try {
            return v == null ? fallback : Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a whole number, got '" + v + "'");
        }
    }

    double doubleValue(String name, double fallback) {
        String v = optional(name, null);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a number, got '" + v + "'");
        }
    }

    Duration duration(String name, Duration fallback) {
        String v = optional(name, null);
        try {
            return v == null ? fallback : Duration.parse(v);
        } catch (DateTimeParseException e) {
            throw new UsageException(command + ": --" + name + " must be an ISO-8601 duration such as PT30M or P7D, got '"
                    + v + "'");
        }
    }

    /** Call after reading all options: a typo must not silently fall back to a default. */
    void rejectUnknown() {
        for (String name : values.keySet()) {
            if (!used.contains(name)) {
                throw new UsageException(command + ": unknown option --" + name);
            }
        }
        for (String name : flags) {
            if (!used.contains(name)) {
                throw new UsageException(command + ": unknown option --" + name);
            }
        }
    }

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
