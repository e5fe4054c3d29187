package io.securestreams.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A ws "server" written by hand on a plain server socket: it completes the opening handshake,
 * answering a chosen {@code Sec-WebSocket-Protocol} (or none), then only reads. It records the
 * opcode of every frame the client sends and never answers anything, like a peer that stopped
 * responding.
 */
public final class HandRolledWsServer implements AutoCloseable {

	private final ServerSocket socket;

	private final String answeredSubprotocol;

	private final List<Socket> clients = new CopyOnWriteArrayList<>();

	public final List<Integer> opcodes = new CopyOnWriteArrayList<>();

	public final List<Long> opcodeTimesNanos = new CopyOnWriteArrayList<>();

	public final List<String> requests = new CopyOnWriteArrayList<>();

	/**
	 * Starts the server on 127.0.0.1 with an ephemeral port.
	 * @param answeredSubprotocol the subprotocol to name in the answer, or {@code null} for none
	 */
	public HandRolledWsServer(String answeredSubprotocol) throws IOException {
		this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
		this.answeredSubprotocol = answeredSubprotocol;
		Thread acceptor = new Thread(this::acceptLoop, "hand-rolled-ws");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	public int port() {
		return this.socket.getLocalPort();
	}

	public int connections() {
		return this.requests.size();
	}

	private void acceptLoop() {
		while (!this.socket.isClosed()) {
			try {
				Socket client = this.socket.accept();
				this.clients.add(client);
				Thread reader = new Thread(() -> serve(client), "hand-rolled-ws-client");
				reader.setDaemon(true);
				reader.start();
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(Socket client) {
		try (client) {
			InputStream in = client.getInputStream();
			String head = readHead(in);
			this.requests.add(head);
			String key = header(head, "sec-websocket-key");
			StringBuilder answer = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
					+ "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n");
			if (this.answeredSubprotocol != null) {
				answer.append("Sec-WebSocket-Protocol: ").append(this.answeredSubprotocol).append("\r\n");
			}
			OutputStream out = client.getOutputStream();
			out.write(answer.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
			out.flush();
			while (true) {
				int first = in.read();
				int second = in.read();
				if (first < 0 || second < 0) {
					return;
				}
				this.opcodes.add(first & 0x0f);
				this.opcodeTimesNanos.add(System.nanoTime());
				long length = second & 0x7f;
				if (length == 126) {
					length = (in.read() << 8) | in.read();
				}
				else if (length == 127) {
					length = 0;
					for (int i = 0; i < 8; i++) {
						length = (length << 8) | in.read();
					}
				}
				long skip = length + (((second & 0x80) != 0) ? 4 : 0);
				in.skipNBytes(skip);
			}
		}
		catch (IOException | RuntimeException ex) {
			// the client went away
		}
	}

	private static String readHead(InputStream in) throws IOException {
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
		return head.toString(StandardCharsets.US_ASCII);
	}

	private static String header(String head, String name) {
		for (String line : head.split("\r\n")) {
			int colon = line.indexOf(':');
			if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
				return line.substring(colon + 1).trim();
			}
		}
		return "";
	}

	private static String accept(String key) {
		try {
			MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
			byte[] digest = sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
		for (Socket client : this.clients) {
			client.close();
		}
	}

}
