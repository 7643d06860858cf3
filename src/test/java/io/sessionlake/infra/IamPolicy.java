package io.sessionlake.infra;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * IAM's decision for one request of a role in the same account as the bucket, as far as our templates need it:
 * the role's inline policies and the bucket policy together; an explicit Deny in either wins, otherwise an
 * Allow in either is needed. Actions match case-insensitively, resources case-sensitively, both with {@code *}
 * and {@code ?}. Conditions: {@code Bool}, {@code StringEquals}, {@code StringLike} (and their {@code IfExists}
 * forms) over the request context given; any other operator fails the judgement rather than being guessed.
 */
public final class IamPolicy {
    public enum Decision { ALLOWED, IMPLICITLY_DENIED, EXPLICITLY_DENIED }

    /** One statement, with the policy it came from. */
    public record Statement(String origin, String sid, boolean allow, List<String> actions, List<String> resources,
            JsonNode condition) {
        boolean applies(String action, String arn, Map<String, String> context) {
            return actions.stream().anyMatch(a -> matches(a, action, true))
                    && resources.stream().anyMatch(r -> matches(r, arn, false))
                    && conditionHolds(condition, context);
        }

        @Override
        public String toString() {
            return origin + (sid == null ? "" : "/" + sid);
        }
    }

    /** What one Allow statement grants: one action on one resource pattern. */
    public record Grant(Statement statement, String action, String resource) {
        public boolean covers(String requestAction, String arn) {
            return matches(action, requestAction, true) && matches(resource, arn, false);
        }
    }

    private final List<Statement> statements;

    private IamPolicy(List<Statement> statements) {
        this.statements = statements;
    }

    /** The role's inline policies and every bucket policy statement that names all principals. */
    public static IamPolicy of(JsonNode resources, String roleLogicalId) {
        List<Statement> out = new ArrayList<>();
        JsonNode role = resources.get(roleLogicalId);
        if (role == null || !role.get("Type").asText().equals("AWS::IAM::Role")) {
            throw new IllegalArgumentException("no role " + roleLogicalId);
        }
        if (role.get("Properties").has("ManagedPolicyArns")) {
            throw new IllegalArgumentException(roleLogicalId + " has managed policies, which this judge cannot read");
        }
        for (JsonNode policy : role.get("Properties").path("Policies")) {
            for (JsonNode s : policy.get("PolicyDocument").get("Statement")) {
                out.add(statement(roleLogicalId + "/" + policy.get("PolicyName").asText(), s));
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = resources.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> r = it.next();
            if (r.getValue().get("Type").asText().equals("AWS::S3::BucketPolicy")) {
                for (JsonNode s : r.getValue().at("/Properties/PolicyDocument/Statement")) {
                    if (!"*".equals(s.path("Principal").asText())) {
                        throw new IllegalArgumentException(r.getKey() + " names principals, which this judge cannot"
                                + " match against the role: " + s);
                    }
                    out.add(statement(r.getKey(), s));
                }
            }
        }
        return new IamPolicy(out);
    }

    private static Statement statement(String origin, JsonNode s) {
        if (s.has("NotAction") || s.has("NotResource") || s.has("NotPrincipal")) {
            throw new IllegalArgumentException(origin + " uses a negation, which this judge does not evaluate: " + s);
        }
        return new Statement(origin, s.has("Sid") ? s.get("Sid").asText() : null,
                s.get("Effect").asText().equals("Allow"), texts(s.get("Action")), texts(s.get("Resource")),
                s.get("Condition"));
    }

    public Decision decide(String action, String arn, Map<String, String> context) {
        boolean allowed = false;
        for (Statement s : statements) {
            if (s.applies(action, arn, context)) {
                if (!s.allow()) {
                    return Decision.EXPLICITLY_DENIED;
                }
                allowed = true;
            }
        }
        return allowed ? Decision.ALLOWED : Decision.IMPLICITLY_DENIED;
    }

    /** Every action/resource pair the Allow statements grant for actions of this service ("s3:"). */
    public List<Grant> grants(String servicePrefix) {
        List<Grant> out = new ArrayList<>();
        for (Statement s : statements) {
            if (!s.allow()) {
                continue;
            }
            for (String a : s.actions()) {
                if (a.toLowerCase(Locale.ROOT).startsWith(servicePrefix)) {
                    for (String r : s.resources()) {
                        out.add(new Grant(s, a, r));
                    }
                }
            }
        }
        return out;
    }

    /** IAM's wildcards: {@code *} any run of characters, {@code ?} one character. */
    static boolean matches(String pattern, String value, boolean ignoreCase) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(re.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher(value).matches();
    }

    private static boolean conditionHolds(JsonNode condition, Map<String, String> context) {
        if (condition == null || condition.isNull()) {
            return true;
        }
        for (Iterator<Map.Entry<String, JsonNode>> ops = condition.fields(); ops.hasNext(); ) {
            Map.Entry<String, JsonNode> op = ops.next();
            String operator = op.getKey();
            boolean ifExists = operator.endsWith("IfExists");
            String base = ifExists ? operator.substring(0, operator.length() - "IfExists".length()) : operator;
            for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> k = keys.next();
                String actual = context.get(k.getKey());
                if (actual == null) {
                    if (ifExists) {
                        continue;
                    }
                    return false;
                }
                List<String> wanted = texts(k.getValue());
                boolean any = switch (base) {
                    case "Bool" -> wanted.stream().anyMatch(w -> w.equalsIgnoreCase(actual));
                    case "StringEquals" -> wanted.contains(actual);
                    case "StringLike" -> wanted.stream().anyMatch(w -> matches(w, actual, false));
                    default -> throw new IllegalArgumentException("condition operator " + operator
                            + " is not interpreted by this judge; extend IamPolicy before using it");
                };
                if (!any) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A policy field that is a string or an array of strings, as a list. */
    static List<String> texts(JsonNode stringOrArray) {
        List<String> out = new ArrayList<>();
        if (stringOrArray == null) {
            return out;
        }
        if (stringOrArray.isArray()) {
            stringOrArray.forEach(n -> out.add(n.asText()));
        } else {
            out.add(stringOrArray.asText());
        }
        return out;
    }
}
