package io.securestreams.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A ws "server" written by hand on a plain server socket: it completes the opening handshake,
 * answering a chosen {@code Sec-WebSocket-Protocol} (or none), then only reads. It records the
 * opcode of every frame the client sends and never answers anything, like a peer that stopped
 * responding.
 */
public final class HandRolledWsServer implements AutoCloseable {

	private final ScriptedPeer peer;

	private final String answeredSubprotocol;

	public final List<Integer> opcodes = new CopyOnWriteArrayList<>();

	public final List<Long> opcodeTimesNanos = new CopyOnWriteArrayList<>();

	public final List<String> requests;

	/**
	 * Starts the server on 127.0.0.1 with an ephemeral port.
	 * @param answeredSubprotocol the subprotocol to name in the answer, or {@code null} for none
	 */
	public HandRolledWsServer(String answeredSubprotocol) throws IOException {
		this.answeredSubprotocol = answeredSubprotocol;
		this.peer = new ScriptedPeer(this::serve);
		this.requests = this.peer.requests();
	}

	public int port() {
		return this.peer.port();
	}

	public int connections() {
		return this.requests.size();
	}

	private void serve(String head, InputStream in, OutputStream out) throws IOException {
		String key = ScriptedPeer.header(head, "sec-websocket-key");
		StringBuilder answer = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
				+ "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n");
		if (this.answeredSubprotocol != null) {
			answer.append("Sec-WebSocket-Protocol: ").append(this.answeredSubprotocol).append("\r\n");
		}
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

	/** The {@code Sec-WebSocket-Accept} value that answers a {@code Sec-WebSocket-Key} (RFC 6455 4.2.2). */
	public static String accept(String key) {
		try {
			MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
			byte[] digest = sha1.digest(
					(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() throws IOException {
		this.peer.close();
	}

}
