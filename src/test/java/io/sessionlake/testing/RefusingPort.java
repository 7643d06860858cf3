package io.sessionlake.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A port on 127.0.0.1 bound but not listening, held until closed: a connection to it is refused, and no server a test
 * starts meanwhile can be given it. (A port closed at once was, once, handed to the fake Runtime API started next,
 * whose 404 the S3 client read as "no object": an input failure where an unreachable store was meant.)
 */
public final class RefusingPort implements AutoCloseable {
    private final Socket socket = new Socket();

    public RefusingPort() throws IOException {
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    }

    /** An http endpoint at this port. */
    public String endpoint() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
