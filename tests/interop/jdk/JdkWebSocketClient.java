// The JDK's own WebSocket client (java.net.http.WebSocket), as a peer of our server that we did
// not write. Run as a single source file:
//
//   java tests/interop/jdk/JdkWebSocketClient.java ws://127.0.0.1:PORT UNICODE_TEXT_AS_HEX [CA_PEM]
//
// With wss://, CA_PEM is the certificate to trust (the JDK's TLS, with its hostname check).
//
// It runs a fixed list of scenarios, each over a connection of its own, and prints what it
// received, one line per event: "<scenario> <event>", where an event is "text <payload>",
// "binary <payload>" (fragments joined into whole messages), "ping <hex>", "pong <hex>",
// "close <code> <reason as UTF-8 hex>", "error <what>" or "timeout". A payload is its bytes as hex
// up to 1,024 bytes, otherwise "sha256:<hex> length:<n>". A refused handshake prints
// "<scenario> refused <status>" and ends the run. Only ASCII is printed, so the output does not
// depend on the platform's encoding. The test that starts it compares every line.

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class JdkWebSocketClient {
  static final int LARGE = 16 * 1024 * 1024;
  static final long WAIT_SECONDS = 20;

  /** Records one connection's events, in order, with fragments joined into whole messages. */
  static final class Recorder implements WebSocket.Listener {
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    @Override
    public void onOpen(WebSocket ws) {
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        events.add("text " + payload(text.toString().getBytes(StandardCharsets.UTF_8)));
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      binary.write(bytes, 0, bytes.length);
      if (last) {
        events.add("binary " + payload(binary.toByteArray()));
        binary.reset();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer data) {
      events.add("ping " + hex(bytesOf(data)));
      ws.request(1);
      return null; // the JDK answers with a pong of the same data
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer data) {
      events.add("pong " + hex(bytesOf(data)));
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      events.add("close " + code + " " + hex(reason.getBytes(StandardCharsets.UTF_8)));
      return null; // the JDK answers with a close frame of the same code
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      events.add("error " + error.getClass().getSimpleName());
    }
  }

  static byte[] bytesOf(ByteBuffer data) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    return bytes;
  }

  static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) out.append(String.format("%02x", b & 0xff));
    return out.toString();
  }

  static String payload(byte[] bytes) {
    if (bytes.length <= 1024) return hex(bytes);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "sha256:" + hex(digest) + " length:" + bytes.length;
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  static byte[] unhex(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return bytes;
  }

  /** The same bytes as the tests' `pattern(size, offset)`: (i + offset) mod 251. */
  static byte[] pattern(int size, int offset) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) bytes[i] = (byte) ((i + offset) % 251);
    return bytes;
  }

  /** One scenario's connection: events are printed as they are taken. */
  static final class Scenario {
    final String name;
    final Recorder recorder = new Recorder();
    final WebSocket ws;

    Scenario(HttpClient client, String name, String url) {
      this.name = name;
      try {
        this.ws = client.newWebSocketBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(WAIT_SECONDS))
            .buildAsync(URI.create(url), recorder)
            .orTimeout(WAIT_SECONDS, TimeUnit.SECONDS)
            .join();
      } catch (CompletionException e) {
        // A refused handshake ends the run: "<scenario> refused <status>".
        if (e.getCause() instanceof WebSocketHandshakeException) {
          int status = ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
          System.out.println(name + " refused " + status);
          System.exit(0);
        }
        throw e;
      }
    }

    /** Prints the next `count` events; false after a timeout or a close. */
    boolean take(int count) throws InterruptedException {
      for (int i = 0; i < count; i++) {
        String event = recorder.events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        System.out.println(name + " " + (event == null ? "timeout" : event));
        if (event == null) {
          ws.abort();
          return false;
        }
      }
      return true;
    }

    /** Closes with 1000 and prints the server's answer. */
    void close() throws InterruptedException {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
      take(1);
    }
  }

  /** A TLS context that trusts exactly the certificate in `pemFile`. */
  static SSLContext trusting(String pemFile) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = new FileInputStream(pemFile)) {
      store.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String unicode = new String(unhex(args[1]), StandardCharsets.UTF_8);
    HttpClient client = args.length > 2
        ? HttpClient.newBuilder().sslContext(trusting(args[2])).build()
        : HttpClient.newHttpClient();

    // Text (with 2-, 3- and 4-byte characters), empty text, binary, empty binary.
    Scenario echo = new Scenario(client, "echo", base + "/echo");
    echo.ws.sendText(unicode, true).join();
    echo.ws.sendText("", true).join();
    echo.ws.sendBinary(ByteBuffer.wrap(new byte[] {0, 1, 127, (byte) 128, (byte) 255}), true).join();
    echo.ws.sendBinary(ByteBuffer.allocate(0), true).join();
    if (echo.take(4)) echo.close();

    // Messages sent in fragments: text cut between characters, binary across the 64 KiB mark.
    Scenario fragments = new Scenario(client, "fragments", base + "/echo");
    fragments.ws.sendText(unicode.substring(0, 3), false).join();
    fragments.ws.sendText(unicode.substring(3, 10), false).join();
    fragments.ws.sendText(unicode.substring(10), true).join();
    byte[] bytes = pattern(70_000, 0);
    fragments.ws.sendBinary(ByteBuffer.wrap(bytes, 0, 1), false).join();
    fragments.ws.sendBinary(ByteBuffer.wrap(bytes, 1, 65_536), false).join();
    fragments.ws.sendBinary(ByteBuffer.wrap(bytes, 65_537, bytes.length - 65_537), true).join();
    if (fragments.take(2)) fragments.close();

    // 16 MiB of binary and 16 MiB of text with 1- to 4-byte characters.
    Scenario large = new Scenario(client, "large", base + "/echo");
    large.ws.sendBinary(ByteBuffer.wrap(pattern(LARGE, 0)), true).join();
    String unit = "a\u00e9\u2713\ud83d\ude80 ";
    large.ws.sendText(unit.repeat((LARGE + 10) / 11), true).join();
    if (large.take(2)) large.close();

    // A ping from the client: the server answers with a pong of the same data.
    Scenario ping = new Scenario(client, "ping", base + "/echo");
    ping.ws.sendPing(ByteBuffer.wrap("ping \u2713".getBytes(StandardCharsets.UTF_8))).join();
    if (ping.take(1)) ping.close();

    // The client closes with a code and a reason of its own: the server answers with the code.
    Scenario clientClose = new Scenario(client, "client-close", base + "/echo");
    clientClose.ws.sendClose(4001, "bye \u2713").join();
    clientClose.take(1);

    // The server closes at once with a code and a reason.
    Scenario serverClose =
        new Scenario(client, "server-close", base + "/close?code=4002&reason=server%20bye");
    serverClose.take(1);

    // The server pings at once (where its engine can), then echoes.
    Scenario serverPing = new Scenario(client, "server-ping", base + "/ping?data=hi");
    serverPing.ws.sendText("after", true).join();
    String first = serverPing.recorder.events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    System.out.println("server-ping " + (first == null ? "timeout" : first));
    if (first != null && first.startsWith("ping ")) serverPing.take(1);
    if (first != null) serverPing.close();
  }
}
