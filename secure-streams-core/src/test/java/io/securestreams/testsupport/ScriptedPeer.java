package io.securestreams.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hostile or hand-rolled server written on a plain socket: it listens on 127.0.0.1 on an
 * ephemeral port and, for each connection, reads the request head and runs a script with it, so
 * that a test can answer with exactly the bytes it wants (a malformed answer, a frame cut in two,
 * a peer that stops reading). After the script it reads until the client closes, so that the
 * client, not the peer, decides when the connection ends; an exception from the script closes the
 * connection at once.
 * <p>
 * The head is read byte by byte up to its blank line and kept as ISO-8859-1 text, one char per
 * byte, so that the bytes the client sent can be recovered exactly.
 */
public final class ScriptedPeer implements AutoCloseable {

	/** What the peer does with one connection once it read the request head. */
	@FunctionalInterface
	public interface Script {

		void run(String head, InputStream in, OutputStream out) throws Exception;

	}

	private final ServerSocket socket;

	private final AtomicInteger connections = new AtomicInteger();

	private final AtomicInteger clientsGone = new AtomicInteger();

	private final List<Socket> clients = new CopyOnWriteArrayList<>();

	private final List<String> requests = new CopyOnWriteArrayList<>();

	/**
	 * Starts a peer with the platform's socket receive buffer.
	 * @param script what to do on each connection
	 */
	public ScriptedPeer(Script script) throws IOException {
		this(script, 0);
	}

	/**
	 * Starts a peer.
	 * @param script what to do on each connection
	 * @param receiveBufferSize the socket receive buffer in bytes, small so that what the client
	 * sends piles up on its side when the script stops reading; {@code 0} for the platform's
	 */
	public ScriptedPeer(Script script, int receiveBufferSize) throws IOException {
		this.socket = new ServerSocket();
		if (receiveBufferSize > 0) {
			this.socket.setReceiveBufferSize(receiveBufferSize);
		}
		this.socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
		Thread acceptor = new Thread(() -> acceptLoop(script), "scripted-peer");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public int port() {
		return this.socket.getLocalPort();
	}

	/** How many connections the peer accepted. */
	public int connections() {
		return this.connections.get();
	}

	/** How many connections ended, by the client or by the script. */
	public int clientsGone() {
		return this.clientsGone.get();
	}

	/** The first request head read on each connection, in arrival order. */
	public List<String> requests() {
		return this.requests;
	}

	private void acceptLoop(Script script) {
		while (!this.socket.isClosed()) {
			try {
				Socket client = this.socket.accept();
				this.connections.incrementAndGet();
				this.clients.add(client);
				Thread serving = new Thread(() -> serve(client, script), "scripted-peer-client");
				serving.setDaemon(true);
				serving.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(Socket client, Script script) {
		try (client) {
			InputStream in = client.getInputStream();
			String head = readHead(in);
			this.requests.add(head);
			OutputStream out = client.getOutputStream();
			script.run(head, in, out);
			out.flush();
			byte[] sink = new byte[4096];
			while (in.read(sink) >= 0) {
				// until the client closes
			}
		}
		catch (Exception ex) {
			// the client went away, or the script ended
		}
		finally {
			this.clientsGone.incrementAndGet();
		}
	}

	/**
	 * Reads one request head, up to and including its blank line; for scripts that serve further
	 * requests on the same connection.
	 */
	public static String readHead(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("closed during the head");
			}
			head.write(b);
			matched = (b == end[matched]) ? matched + 1 : ((b == '\r') ? 1 : 0);
		}
		return head.toString(StandardCharsets.ISO_8859_1);
	}

	/**
	 * The value of a header in a head, trimmed, or {@code ""} if it is absent.
	 * @param name the header name in lower case
	 */
	public static String header(String head, String name) {
		for (String line : head.split("\r\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
				return line.substring(colon + 1).trim();
			}
		}
		return "";
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
		for (Socket client : this.clients) {
			client.close();
		}
	}

}
