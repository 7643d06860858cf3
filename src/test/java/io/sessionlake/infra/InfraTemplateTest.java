package io.sessionlake.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sessionlake.lambda.RunMetricsLine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The deployment template as CloudFormation would see it: free of cfn-lint errors, and after the SAM
 * transform, least-privilege roles and the settings the processor relies on. Skipped (aborted) where
 * cfn-lint or aws-sam-translator is not installed; nothing here talks to AWS.
 */
class InfraTemplateTest {
    private static final Path TEMPLATE = TransformedTemplate.TEMPLATE;

    // The fictitious stack check_template.py resolves the template for (stack "sessionlake", defaults).
    private static final String BUCKET = TransformedTemplate.BUCKET;
    private static final String BUCKET_ARN = "arn:aws:s3:::" + BUCKET;
    private static final String PROCESSOR = "sessionlake-processor";
    private static final String API = "sessionlake-api";
    private static final String PROCESSOR_ARN = "arn:aws:lambda:us-east-1:123456789012:function:" + PROCESSOR;
    /** The alias every deploy points at its new version; events and the API invoke it, never $LATEST. */
    private static final String ALIAS = "live";
    private static final String API_ALIAS_ARN = "arn:aws:lambda:us-east-1:123456789012:function:" + API + ":" + ALIAS;
    private static final String QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:sessionlake-processor-failures";


    // ---------------------------------------------------------------------------------------------
    // cfn-lint
    // ---------------------------------------------------------------------------------------------

    @Test
    void templateHasNoLintErrors() throws Exception {
        TransformedTemplate.Output lint = exec("cfn-lint", TEMPLATE.toString());
        // cfn-lint's exit code is a bit set: 2 errors, 4 warnings, 8 informational.
        assertEquals(0, lint.code() & 2, "cfn-lint found errors:\n" + lint.stdout() + lint.stderr());
        assertEquals(0, lint.code() & ~(2 | 4 | 8), "cfn-lint failed to run:\n" + lint.stdout() + lint.stderr());
    }

    // ---------------------------------------------------------------------------------------------
    // Processor permissions
    // ---------------------------------------------------------------------------------------------

    @Test
    void processorMayOnlyWriteOutputPrefixesAndItsThreeObjects() throws Exception {
        Set<String> expected = objects("sessions/", "clean_events/", "rejected/", "runs/", "state/customers/",
                "state/ids/");
        expected.addAll(exactly("metrics/orders.json", "state/manifest.bin", "state/turn.json"));
        assertEquals(expected, allowed(roleOf("ProcessorFunction"), "s3:PutObject"));
    }

    /** What every run reads (TemplatePermissionsTest shows each one used, and enough). */
    @Test
    void processorReadsInputStateMetricsAndRunReports() throws Exception {
        Set<String> expected = objects("events/", "runs/", "state/customers/", "state/ids/");
        expected.addAll(exactly("metrics/orders.json", "state/manifest.bin", "state/turn.json", "state/state.bin"));
        assertEquals(expected, allowed(roleOf("ProcessorFunction"), "s3:GetObject"));
    }

    @Test
    void processorDeletesOnlyDataObjectsAndStateLeaves() throws Exception {
        Set<String> expected = objects("sessions/", "clean_events/", "rejected/", "state/customers/", "state/ids/");
        expected.addAll(exactly("state/turn.json")); // released by the run that claimed it
        assertEquals(expected, allowed(roleOf("ProcessorFunction"), "s3:DeleteObject"));
    }

    @Test
    void processorHasNoOtherS3Permissions() throws Exception {
        List<JsonNode> statements = statements(roleOf("ProcessorFunction"));
        assertEquals(Set.of("s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"),
                actionsOf(statements, "s3:"));
        // Listing only to tell a missing state object (404) from a forbidden one (403); no object access.
        assertEquals(Set.of(BUCKET_ARN), allowed(roleOf("ProcessorFunction"), "s3:ListBucket"));
    }

    @Test
    void noRoleGrantsWildcardsOrManagedPolicies() throws Exception {
        for (String variant : List.of("jvm", "native")) {
            JsonNode resources = facts().get("variants").get(variant);
            List<String> roles = logicalIdsOfType(resources, "AWS::IAM::Role");
            assertEquals(Set.of("ApiRole", "ProcessorRole"), new TreeSet<>(roles), "roles of " + variant);
            assertTrue(logicalIdsOfType(resources, "AWS::IAM::Policy").isEmpty(), "separate policies in " + variant);
            assertTrue(logicalIdsOfType(resources, "AWS::IAM::ManagedPolicy").isEmpty());
            for (String role : roles) {
                assertFalse(resources.get(role).get("Properties").has("ManagedPolicyArns"),
                        role + " has managed policies: " + resources.get(role));
                for (JsonNode s : statements(resources, role)) {
                    for (String action : texts(s.get("Action"))) {
                        assertFalse(action.equals("*") || action.endsWith(":*"), role + " grants " + action);
                    }
                    assertFalse(texts(s.get("Resource")).contains("*"), role + " grants on every resource: " + s);
                    assertFalse(s.has("NotAction") || s.has("NotResource"), role + " uses a negation: " + s);
                }
            }
        }
    }

    @Test
    void eachFunctionMayLogOnlyToItsOwnLogGroup() throws Exception {
        JsonNode resources = jvm();
        for (String function : List.of("ProcessorFunction", "ApiFunction")) {
            String name = props(resources, function).get("FunctionName").asText();
            String logGroup = "/aws/lambda/" + name;
            String arn = "arn:aws:logs:us-east-1:123456789012:log-group:" + logGroup + ":*";
            String role = roleOf(function);
            assertEquals(Set.of(arn), allowed(role, "logs:PutLogEvents"), function);
            assertEquals(Set.of(arn), allowed(role, "logs:CreateLogStream"), function);
            assertEquals(Set.of("logs:CreateLogStream", "logs:PutLogEvents"),
                    actionsOf(statements(role), "logs:"), function);
            JsonNode group = resourceNamed(resources, "AWS::Logs::LogGroup", "LogGroupName", logGroup);
            assertEquals(30, group.get("Properties").get("RetentionInDays").asInt(), logGroup);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // API permissions and routes
    // ---------------------------------------------------------------------------------------------

    @Test
    void apiRunsObjectsWithTheProcessorsObjectAccessAndReadsWhatItServes() throws Exception {
        String role = roleOf("ApiFunction");
        assertEquals(Set.of("s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"),
                actionsOf(statements(role), "s3:"));
        assertEquals(allowed(roleOf("ProcessorFunction"), "s3:GetObject"), allowed(role, "s3:GetObject"));
        assertEquals(allowed(roleOf("ProcessorFunction"), "s3:PutObject"), allowed(role, "s3:PutObject"));
        assertEquals(allowed(roleOf("ProcessorFunction"), "s3:DeleteObject"), allowed(role, "s3:DeleteObject"));
        assertEquals(Set.of(BUCKET_ARN), allowed(role, "s3:ListBucket"));
    }

    @Test
    void apiMayNotInvokeOtherFunctions() throws Exception {
        assertTrue(actionsOf(statements(roleOf("ApiFunction")), "lambda:").isEmpty());
        assertFalse(env("ApiFunction").has("SESSIONLAKE_PROCESSOR_FUNCTION"));
        assertEquals(10, env("ApiFunction").get("SESSIONLAKE_API_MAX_OBJECTS_PER_REQUEST").asInt());
    }

    @Test
    void apiRoutesRequireSignedRequests() throws Exception {
        JsonNode api = resourceOfType(jvm(), "AWS::ApiGatewayV2::Api");
        JsonNode paths = api.get("Properties").get("Body").get("paths");
        Map<String, String> routes = new LinkedHashMap<>();
        paths.fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> routes.put(p.getKey(), m)));
        assertEquals(Map.of("/metrics/orders", "get", "/runs", "post", "/runs/{id}", "get", "/health", "get"), routes);
        routes.forEach((path, method) -> {
            JsonNode op = paths.get(path).get(method);
            assertEquals("AWS_IAM", op.get("security").get(0).fieldNames().next(), path);
            JsonNode integration = op.get("x-amazon-apigateway-integration");
            assertEquals("2.0", integration.get("payloadFormatVersion").asText(), path);
            assertTrue(integration.get("uri").asText().contains("/functions/" + API_ALIAS_ARN + "/invocations"),
                    path + ": " + integration);
        });
        List<JsonNode> permissions = resourcesNamed(jvm(), "AWS::Lambda::Permission", "Principal", "apigateway.amazonaws.com");
        assertEquals(routes.size(), permissions.size(), permissions.toString());
        for (JsonNode permission : permissions) {
            assertEquals(API_ALIAS_ARN, permission.at("/Properties/FunctionName").asText(), permission.toString());
        }
        assertEquals("awsSigv4",
                api.at("/Properties/Body/components/securitySchemes/AWS_IAM/x-amazon-apigateway-authtype").asText());
        // API Gateway gives up on an integration after 30 s.
        assertTrue(props(jvm(), "ApiFunction").get("Timeout").asInt() < 30);
    }

    // ---------------------------------------------------------------------------------------------
    // Bucket
    // ---------------------------------------------------------------------------------------------

    @Test
    void bucketBlocksPublicAccessAndAcls() throws Exception {
        JsonNode bucket = props(jvm(), "Bucket");
        assertEquals(BUCKET, bucket.get("BucketName").asText());
        JsonNode block = bucket.get("PublicAccessBlockConfiguration");
        for (String setting : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")) {
            assertTrue(block.path(setting).asBoolean(false), setting + " in " + block);
        }
        assertEquals("BucketOwnerEnforced", bucket.at("/OwnershipControls/Rules/0/ObjectOwnership").asText());
        String sse = bucket.at("/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault/SSEAlgorithm")
                .asText();
        assertTrue(Set.of("AES256", "aws:kms", "aws:kms:dsse").contains(sse), "encryption: " + sse);
    }

    @Test
    void bucketDeniesRequestsWithoutTls() throws Exception {
        JsonNode policy = props(jvm(), resourceIdOfType(jvm(), "AWS::S3::BucketPolicy"));
        assertEquals(BUCKET, policy.get("Bucket").asText());
        List<JsonNode> denials = new ArrayList<>();
        for (JsonNode s : policy.get("PolicyDocument").get("Statement")) {
            if (s.get("Effect").asText().equals("Deny")
                    && s.at("/Condition/Bool/aws:SecureTransport").asText().equals("false")) {
                denials.add(s);
            }
        }
        assertEquals(1, denials.size(), policy.toString());
        JsonNode deny = denials.get(0);
        assertEquals("*", deny.get("Principal").asText());
        assertEquals(Set.of("s3:*"), texts(deny.get("Action")));
        assertEquals(Set.of(BUCKET_ARN, BUCKET_ARN + "/*"), texts(deny.get("Resource")));
    }

    @Test
    void onlyInputObjectsTriggerTheProcessor() throws Exception {
        JsonNode configs = props(jvm(), "Bucket").at("/NotificationConfiguration/LambdaConfigurations");
        assertEquals(1, configs.size(), configs.toString());
        JsonNode c = configs.get(0);
        assertEquals("s3:ObjectCreated:*", c.get("Event").asText());
        assertEquals(PROCESSOR_ARN + ":" + ALIAS, c.get("Function").asText());
        JsonNode rules = c.at("/Filter/S3Key/Rules");
        assertEquals(1, rules.size(), rules.toString());
        assertEquals("prefix", rules.get(0).get("Name").asText().toLowerCase());
        assertEquals("events/", rules.get(0).get("Value").asText());

        JsonNode permission = resourceNamed(jvm(), "AWS::Lambda::Permission", "Principal", "s3.amazonaws.com")
                .get("Properties");
        assertEquals(PROCESSOR_ARN + ":" + ALIAS, permission.get("FunctionName").asText());
        assertEquals(BUCKET_ARN, permission.get("SourceArn").asText());
        assertEquals("123456789012", permission.get("SourceAccount").asText());
    }

    // ---------------------------------------------------------------------------------------------
    // Functions
    // ---------------------------------------------------------------------------------------------

    @Test
    void processorRunsOneAtATime() throws Exception {
        assertEquals(1, props(jvm(), "ProcessorFunction").path("ReservedConcurrentExecutions").asInt(-1));
        assertFalse(props(jvm(), "ApiFunction").has("ReservedConcurrentExecutions"));
    }

    @Test
    void processorHasTimeAndDiskForLargeObjects() throws Exception {
        JsonNode p = props(jvm(), "ProcessorFunction");
        assertEquals(900, p.get("Timeout").asInt());
        assertEquals(2048, p.get("MemorySize").asInt());
        // /tmp: the most SnapStart allows, and 2,048 MB where SnapStart is off
        assertEquals(512, p.at("/EphemeralStorage/Size").asInt(), p.toString());
        for (JsonNode resources : List.of(facts().get("withoutSnapStart"), facts().get("variants").get("native"))) {
            assertEquals(2048, props(resources, "ProcessorFunction").at("/EphemeralStorage/Size").asInt());
        }
    }

    /**
     * SnapStart on the JVM variant: Lambda snapshots a published version after its init (the processor primes
     * itself there), and every deploy publishes one and moves the alias to it.
     */
    @Test
    void jvmFunctionsRestoreFromSnapshotsOfTheVersionTheAliasPointsAt() throws Exception {
        for (String function : List.of("ProcessorFunction", "ApiFunction")) {
            JsonNode p = props(jvm(), function);
            assertEquals("PublishedVersions", p.at("/SnapStart/ApplyOn").asText(), function);
            // at most 512 MB of /tmp with SnapStart (a Lambda limit)
            assertTrue(p.at("/EphemeralStorage/Size").asInt() <= 512, function);
            String name = p.get("FunctionName").asText();
            JsonNode resources = jvm();
            JsonNode alias = resourceNamed(resources, "AWS::Lambda::Alias", "FunctionName", name).get("Properties");
            assertEquals(ALIAS, alias.get("Name").asText());
            String version = logicalIdsOfType(resources, "AWS::Lambda::Version").stream()
                    .filter(v -> props(resources, v).get("FunctionName").asText().equals(name)).findFirst().orElseThrow();
            assertEquals("getatt:" + version + ".Version", alias.get("FunctionVersion").asText(), function);
        }
    }

    /** The OS-only runtime has no SnapStart; SnapStart=disabled turns it off on the JVM variant. */
    @Test
    void nativeVariantAndSnapStartDisabledRunWithoutSnapshots() throws Exception {
        for (JsonNode resources : List.of(facts().get("variants").get("native"), facts().get("withoutSnapStart"))) {
            for (String function : List.of("ProcessorFunction", "ApiFunction")) {
                assertEquals("None", props(resources, function).at("/SnapStart/ApplyOn").asText("None"), function);
                // the alias stays, so that events and the API invoke the same qualifier either way
                assertEquals(ALIAS, resourceNamed(resources, "AWS::Lambda::Alias", "FunctionName",
                        props(resources, function).get("FunctionName").asText()).at("/Properties/Name").asText());
            }
        }
        assertEquals("provided.al2023", props(facts().get("variants").get("native"), "ProcessorFunction").get("Runtime").asText());
    }

    @Test
    void failedRunsAreRetriedTwiceThenKeptInAnEncryptedQueue() throws Exception {
        JsonNode config = resourceNamed(jvm(), "AWS::Lambda::EventInvokeConfig", "FunctionName", PROCESSOR)
                .get("Properties");
        assertEquals(2, config.get("MaximumRetryAttempts").asInt());
        // the alias the S3 notification invokes: retries and dead letters apply to those invocations
        assertEquals(ALIAS, config.get("Qualifier").asText());
        assertEquals(QUEUE_ARN, config.at("/DestinationConfig/OnFailure/Destination").asText());
        JsonNode queue = resourceNamed(jvm(), "AWS::SQS::Queue", "QueueName", "sessionlake-processor-failures")
                .get("Properties");
        assertTrue(queue.path("SqsManagedSseEnabled").asBoolean(false) || queue.has("KmsMasterKeyId"), queue.toString());
        // Lambda delivers the failure record with the function's role.
        assertEquals(Set.of(QUEUE_ARN), allowed(roleOf("ProcessorFunction"), "sqs:SendMessage"));
    }

    @Test
    void bothFunctionsDeployTheOneQuarkusArtifact() throws Exception {
        JsonNode codeUris = facts().get("codeUris");
        assertEquals(2, codeUris.size(), codeUris.toString());
        for (JsonNode uri : codeUris) {
            assertEquals(Path.of("target", "function.zip"), TEMPLATE.getParent().resolve(uri.asText()).normalize());
        }
        assertEquals(props(jvm(), "ProcessorFunction").get("Code"), props(jvm(), "ApiFunction").get("Code"));
    }

    @Test
    void variantPicksRuntimeAndHandler() throws Exception {
        for (String function : List.of("ProcessorFunction", "ApiFunction")) {
            JsonNode jvm = props(facts().get("variants").get("jvm"), function);
            assertTrue(Set.of("java17", "java21", "java25").contains(jvm.get("Runtime").asText()), jvm.get("Runtime").toString());
            assertEquals("io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest", jvm.get("Handler").asText());
            JsonNode nativ = props(facts().get("variants").get("native"), function);
            assertEquals("provided.al2023", nativ.get("Runtime").asText());
            assertEquals("not.used.in.provided.runtime", nativ.get("Handler").asText());
        }
    }

    @Test
    void eachFunctionSelectsItsQuarkusHandlerWithTheSameSettings() throws Exception {
        assertEquals("s3-events", env("ProcessorFunction").get("QUARKUS_LAMBDA_HANDLER").asText());
        assertEquals("api", env("ApiFunction").get("QUARKUS_LAMBDA_HANDLER").asText());
        assertFalse(env("ProcessorFunction").has("SESSIONLAKE_PROCESSOR_FUNCTION"));
        Map<String, String> shared = Map.of("SESSIONLAKE_BUCKET", BUCKET, "SESSIONLAKE_INPUT_PREFIX", "events/",
                "SESSIONLAKE_INACTIVITY", "PT30M", "SESSIONLAKE_HORIZON", "P7D", "DISABLE_SIGNAL_HANDLERS", "true");
        for (String function : List.of("ProcessorFunction", "ApiFunction")) {
            JsonNode env = env(function);
            shared.forEach((name, value) -> assertEquals(value, env.path(name).asText(null), function + " " + name));
        }
    }

    @Test
    void theJvmBuildRunsWithTheThroughputCollectorAndTheNativeBuildWithoutJvmOptions() throws Exception {
        for (String function : List.of("ProcessorFunction", "ApiFunction")) {
            assertEquals("-XX:+UseParallelGC -XX:MaxRAMPercentage=75", env(function).path("JAVA_TOOL_OPTIONS").asText(null),
                    function);
            JsonNode nativ = props(facts().get("variants").get("native"), function).at("/Environment/Variables");
            assertFalse(nativ.has("JAVA_TOOL_OPTIONS"), nativ.toString());
            assertEquals("s3-events".equals(nativ.path("QUARKUS_LAMBDA_HANDLER").asText()),
                    function.equals("ProcessorFunction"));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Alarms: the metric names and namespace are RunMetricsLine's, what each run prints
    // ---------------------------------------------------------------------------------------------

    @Test
    void anyFailedRunInFiveMinutesRaisesTheFailedRunsAlarm() throws Exception {
        JsonNode alarm = props(jvm(), "FailedRunsAlarm");
        assertRunMetricAlarm(alarm, RunMetricsLine.RUNS_FAILED);
        assertEquals(List.of("Sum", "300", "1", "1.0", "GreaterThanOrEqualToThreshold"), List.of(
                alarm.get("Statistic").asText(), alarm.get("Period").asText(), alarm.get("EvaluationPeriods").asText(),
                String.valueOf(alarm.get("Threshold").asDouble()), alarm.get("ComparisonOperator").asText()));
    }

    @Test
    void lateLinesAboveTheParameterInOneHourRaiseTheLateLinesAlarm() throws Exception {
        JsonNode alarm = props(jvm(), "LateLinesAlarm");
        assertRunMetricAlarm(alarm, RunMetricsLine.LATE);
        assertEquals(List.of("Sum", "3600", "1", "1000.0", "GreaterThanThreshold"), List.of(
                alarm.get("Statistic").asText(), alarm.get("Period").asText(), alarm.get("EvaluationPeriods").asText(),
                String.valueOf(alarm.get("Threshold").asDouble()), alarm.get("ComparisonOperator").asText()));
    }

    @Test
    void anyMessageInTheDeadLetterQueueRaisesAnAlarm() throws Exception {
        JsonNode alarm = props(jvm(), "DeadLetterQueueAlarm");
        assertEquals("AWS/SQS", alarm.get("Namespace").asText());
        assertEquals("ApproximateNumberOfMessagesVisible", alarm.get("MetricName").asText());
        assertEquals("[{\"Name\":\"QueueName\",\"Value\":\"sessionlake-processor-failures\"}]",
                alarm.get("Dimensions").toString());
        assertEquals(List.of("Maximum", "300", "0.0", "GreaterThanThreshold", "notBreaching"), List.of(
                alarm.get("Statistic").asText(), alarm.get("Period").asText(),
                String.valueOf(alarm.get("Threshold").asDouble()), alarm.get("ComparisonOperator").asText(),
                alarm.get("TreatMissingData").asText()));
    }

    @Test
    void alarmsNotifyTheTopicOnlyWhenOneIsGiven() throws Exception {
        JsonNode withTopic = facts().get("withAlarmTopic");
        List<String> alarms = logicalIdsOfType(jvm(), "AWS::CloudWatch::Alarm");
        assertEquals(Set.of("DeadLetterQueueAlarm", "FailedRunsAlarm", "LateLinesAlarm"), new TreeSet<>(alarms));
        for (String alarm : alarms) {
            assertFalse(props(jvm(), alarm).has("AlarmActions"), alarm + " without a topic");
            assertEquals("[\"arn:aws:sns:us-east-1:123456789012:sessionlake-operators\"]",
                    props(withTopic, alarm).get("AlarmActions").toString(), alarm);
        }
    }

    /** On the processor's own metric: the dimension the processor's records carry, no runs counted as no failure. */
    private static void assertRunMetricAlarm(JsonNode alarm, String metric) {
        assertEquals(RunMetricsLine.NAMESPACE, alarm.get("Namespace").asText());
        assertEquals(metric, alarm.get("MetricName").asText());
        assertEquals("[{\"Name\":\"" + RunMetricsLine.FUNCTION + "\",\"Value\":\"" + PROCESSOR + "\"}]",
                alarm.get("Dimensions").toString());
        assertEquals("notBreaching", alarm.get("TreatMissingData").asText());
    }

    // ---------------------------------------------------------------------------------------------
    // Glue tables
    // ---------------------------------------------------------------------------------------------

    @Test
    void sessionRevisionsTableHasTheSessionColumns() throws Exception {
        assertEquals(List.of("session_id string", "customer_id bigint", "session_start timestamp",
                "session_end timestamp", "duration_seconds double", "event_count int", "page_view_count int",
                "search_count int", "add_to_cart_count int", "remove_from_cart_count int", "order_count int",
                "has_order boolean", "landing_page string", "referrer string", "referrer_host string",
                "user_agent string", "ip string", "session_number int", "revision bigint", "is_deleted boolean"),
                columns(table("session_revisions").at("/StorageDescriptor/Columns")));
    }

    @Test
    void cleanEventsTableHasTheEventColumns() throws Exception {
        assertEquals(List.of("event_id bigint", "event_type string", "customer_id bigint", "event_time timestamp",
                "user_agent string", "ip string", "page string", "referrer string", "query string", "product string",
                "position int", "attributes string"), columns(table("clean_events").at("/StorageDescriptor/Columns")));
    }

    @Test
    void glueTablesProjectDailyPartitionsUnderTheirPrefix() throws Exception {
        Map<String, String> prefixes = Map.of("session_revisions", "sessions", "clean_events", "clean_events");
        for (Map.Entry<String, String> e : prefixes.entrySet()) {
            JsonNode t = table(e.getKey());
            String location = "s3://" + BUCKET + "/" + e.getValue() + "/";
            JsonNode sd = t.get("StorageDescriptor");
            assertEquals(location, sd.get("Location").asText());
            assertEquals("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                    sd.at("/SerdeInfo/SerializationLibrary").asText());
            assertEquals("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat", sd.get("InputFormat").asText());
            assertEquals("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat", sd.get("OutputFormat").asText());
            assertEquals(List.of("dt string"), columns(t.get("PartitionKeys")));
            JsonNode p = t.get("Parameters");
            assertEquals("true", p.get("projection.enabled").asText());
            assertEquals("date", p.get("projection.dt.type").asText());
            assertEquals("yyyy-MM-dd", p.get("projection.dt.format").asText());
            assertEquals("2020-01-01,NOW", p.get("projection.dt.range").asText());
            assertEquals("1", p.get("projection.dt.interval").asText());
            assertEquals("DAYS", p.get("projection.dt.interval.unit").asText());
            assertEquals(location + "dt=${dt}/", p.get("storage.location.template").asText(), e.getKey());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Reading the facts
    // ---------------------------------------------------------------------------------------------

    private static JsonNode facts() throws IOException, InterruptedException {
        return TransformedTemplate.facts();
    }

    private static JsonNode jvm() throws Exception {
        return facts().get("variants").get("jvm");
    }

    private static JsonNode props(JsonNode resources, String logicalId) {
        JsonNode r = resources.get(logicalId);
        assertTrue(r != null, "no resource " + logicalId);
        return r.get("Properties");
    }

    private static JsonNode env(String function) throws Exception {
        return props(jvm(), function).at("/Environment/Variables");
    }

    /** The logical id of a function's role; the role ARN resolves to ".../role/<logical id>". */
    private static String roleOf(String function) throws Exception {
        String arn = props(jvm(), function).get("Role").asText();
        return arn.substring(arn.lastIndexOf('/') + 1);
    }

    private static List<JsonNode> statements(String role) throws Exception {
        return statements(jvm(), role);
    }

    private static List<JsonNode> statements(JsonNode resources, String role) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode policy : props(resources, role).path("Policies")) {
            policy.get("PolicyDocument").get("Statement").forEach(out::add);
        }
        assertFalse(out.isEmpty(), role + " has no inline statements");
        return out;
    }

    private static List<JsonNode> statementsAllowing(String role, String action) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode s : statements(role)) {
            if (s.get("Effect").asText().equals("Allow") && texts(s.get("Action")).contains(action)) {
                out.add(s);
            }
        }
        return out;
    }

    /** The resources on which the role allows the action. */
    private static Set<String> allowed(String role, String action) throws Exception {
        Set<String> out = new TreeSet<>();
        for (JsonNode s : statementsAllowing(role, action)) {
            out.addAll(texts(s.get("Resource")));
        }
        return out;
    }

    private static Set<String> actionsOf(List<JsonNode> statements, String service) {
        Set<String> out = new TreeSet<>();
        for (JsonNode s : statements) {
            texts(s.get("Action")).stream().filter(a -> a.startsWith(service)).forEach(out::add);
        }
        return out;
    }

    private static Set<String> objects(String... prefixes) {
        Set<String> out = new TreeSet<>();
        for (String p : prefixes) {
            out.add(BUCKET_ARN + "/" + p + "*");
        }
        return out;
    }

    private static Set<String> exactly(String... keys) {
        Set<String> out = new TreeSet<>();
        for (String k : keys) {
            out.add(BUCKET_ARN + "/" + k);
        }
        return out;
    }

    private static Set<String> texts(JsonNode stringOrArray) {
        return new TreeSet<>(IamPolicy.texts(stringOrArray));
    }

    private static List<String> logicalIdsOfType(JsonNode resources, String type) {
        List<String> out = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().get("Type").asText().equals(type)) {
                out.add(e.getKey());
            }
        });
        return out;
    }

    private static String resourceIdOfType(JsonNode resources, String type) {
        List<String> ids = logicalIdsOfType(resources, type);
        assertEquals(1, ids.size(), type + ": " + ids);
        return ids.get(0);
    }

    private static JsonNode resourceOfType(JsonNode resources, String type) {
        return resources.get(resourceIdOfType(resources, type));
    }

    private static JsonNode resourceNamed(JsonNode resources, String type, String property, String value) {
        List<JsonNode> found = resourcesNamed(resources, type, property, value);
        assertEquals(1, found.size(), "one " + type + " with " + property + " = " + value + ": " + found);
        return found.get(0);
    }

    private static List<JsonNode> resourcesNamed(JsonNode resources, String type, String property, String value) {
        List<JsonNode> found = new ArrayList<>();
        for (String id : logicalIdsOfType(resources, type)) {
            if (value.equals(resources.get(id).get("Properties").path(property).asText())) {
                found.add(resources.get(id));
            }
        }
        return found;
    }

    private static JsonNode table(String name) throws Exception {
        JsonNode resources = jvm();
        List<JsonNode> found = new ArrayList<>();
        for (String id : logicalIdsOfType(resources, "AWS::Glue::Table")) {
            JsonNode input = props(resources, id).get("TableInput");
            if (input.get("Name").asText().equals(name)) {
                assertEquals("sessionlake", props(resources, id).get("DatabaseName").asText(), name);
                found.add(input);
            }
        }
        assertEquals(1, found.size(), "Glue tables named " + name);
        return found.get(0);
    }

    private static List<String> columns(JsonNode columns) {
        List<String> out = new ArrayList<>();
        columns.forEach(c -> out.add(c.get("Name").asText() + " " + c.get("Type").asText()));
        return out;
    }

    private static TransformedTemplate.Output exec(String... command) throws IOException, InterruptedException {
        return TransformedTemplate.exec(command);
    }
}
