package io.sessionlake.nativeimage;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * No GraalVM here, so the native build cannot run (README says so). What can be checked is that the
 * configuration it would use names classes and resources that exist: a typo there only shows in a native build.
 */
class NativeImageConfigTest {
    private static final String DIR = "/META-INF/native-image/io.sessionlake/sessionlake/";

    @Test
    void everyReflectionEntryNamesAClassOnTheClasspath() throws Exception {
        try (InputStream in = getClass().getResourceAsStream(DIR + "reflect-config.json")) {
            JsonNode entries = new ObjectMapper().readTree(in);
            assertFalse(entries.isEmpty());
            for (JsonNode e : entries) {
                String name = e.get("name").asText();
                assertDoesNotThrow(() -> Class.forName(name, false, getClass().getClassLoader()), name);
            }
        }
    }

    @Test
    void everyRunTimeInitialisedClassExists() throws Exception {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream(DIR + "native-image.properties")) {
            p.load(in);
        }
        String args = p.getProperty("Args");
        String classes = args.substring(args.indexOf('=') + 1);
        for (String name : classes.split(",")) {
            assertDoesNotThrow(() -> Class.forName(name.trim(), false, getClass().getClassLoader()), name);
        }
    }

    @Test
    void includedNativeResourcesExist() throws Exception {
        Properties p = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        for (String resource : p.getProperty("quarkus.native.resources.includes").split(",")) {
            assertNotNull(getClass().getResource("/" + resource.trim()), resource);
        }
    }
}
