package io.sessionlake.run;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Keeps late and rejected lines verbatim, one JSON object per line with the source, line number and
 * reason, so they can be inspected and replayed. Bytes that are not UTF-8 are kept as base64. Of a line
 * too long to hold only the first bytes are kept, marked {@code "truncated": true} with the line's full
 * length in {@code line_bytes}.
 */
final class RejectedLines implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private final String sourceKey;
    private OutputStream out;
    private JsonGenerator json;
    private long count;

    RejectedLines(Path file, String sourceKey) {
        this.file = file;
        this.sourceKey = sourceKey;
    }

    void add(long lineNumber, String reason, String detail, byte[] buf, int len) throws IOException {
        add(lineNumber, reason, detail, buf, len, -1);
    }

    /** @param lineBytes the full length of a line of which {@code buf} holds only the first bytes, or -1 */
    void add(long lineNumber, String reason, String detail, byte[] buf, int len, long lineBytes) throws IOException {
        if (json == null) {
            out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            json = JSON.createGenerator(out);
            json.setRootValueSeparator(null);
        }
        json.writeStartObject();
        json.writeStringField("source_key", sourceKey);
        json.writeNumberField("line_number", lineNumber);
        json.writeStringField("reason", reason);
        if (detail != null) {
            json.writeStringField("detail", detail);
        }
        if (lineBytes >= 0) {
            json.writeBooleanField("truncated", true);
            json.writeNumberField("line_bytes", lineBytes);
        }
        String text = utf8OrNull(buf, len);
        if (text != null) {
            json.writeStringField("raw", text);
        } else {
            json.writeStringField("raw_base64", Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf, len)));
        }
        json.writeEndObject();
        json.flush();
        out.write('\n');
        count++;
    }

    long count() {
        return count;
    }

    /** @return the file, or null when no line was rejected */
    Path finish() throws IOException {
        close();
        return count == 0 ? null : file;
    }

    private static String utf8OrNull(byte[] buf, int len) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, 0, len)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        if (json != null) {
            json.close();
            out.close();
            json = null;
        }
    }
}
