package io.securestreams.server.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.securestreams.testsupport.ScriptedPeer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hand-rolled ws client on a plain socket: performs the upgrade, then writes frames byte by
 * byte (masked or not, any header bits) and reads the server's frames one at a time.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class RawWsClient implements AutoCloseable {

	private static final byte[] MASK = { 9, 8, 7, 6 };

	private final Socket socket;

	private RawWsClient(Socket socket) {
		this.socket = socket;
	}

	/**
	 * Connects to 127.0.0.1 and upgrades, offering one subprotocol; fails unless answered 101.
	 * @param port the listener's port
	 * @param subprotocol the subprotocol offered
	 * @return the upgraded client
	 * @throws IOException when the socket fails
	 */
	static RawWsClient upgrade(int port, String subprotocol) throws IOException {
		Socket socket = new Socket("127.0.0.1", port);
		socket.setSoTimeout(10_000);
		String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
		RawWsClient client = new RawWsClient(socket);
		client.send(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				+ "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n" + "Sec-WebSocket-Protocol: "
				+ subprotocol + "\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		assertThat(ScriptedPeer.readHead(socket.getInputStream())).startsWith("HTTP/1.1 101");
		return client;
	}

	/**
	 * Wraps a socket whose upgrade the caller has done.
	 * @param socket the upgraded socket
	 * @return the client
	 */
	static RawWsClient over(Socket socket) {
		return new RawWsClient(socket);
	}

	/**
	 * Returns the socket.
	 * @return the socket
	 */
	Socket socket() {
		return this.socket;
	}

	/**
	 * Writes bytes and flushes.
	 * @param bytes the bytes
	 * @throws IOException when the socket fails
	 */
	void send(byte[] bytes) throws IOException {
		OutputStream out = this.socket.getOutputStream();
		out.write(bytes);
		out.flush();
	}

	/**
	 * Returns a masked client frame.
	 * @param fin whether FIN is set
	 * @param opcode the opcode
	 * @param payload the payload
	 * @return the frame's bytes
	 */
	static byte[] frame(boolean fin, int opcode, byte[] payload) {
		return frame((fin ? 0x80 : 0) | opcode, true, payload);
	}

	/**
	 * Returns a frame with any first byte (FIN, RSV bits, opcode), masked or not.
	 * @param first the first header byte
	 * @param masked whether the MASK bit is set and the payload masked
	 * @param payload the payload, of any length
	 * @return the frame's bytes
	 */
	static byte[] frame(int first, boolean masked, byte[] payload) {
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write(first);
		int maskBit = masked ? 0x80 : 0;
		if (payload.length < 126) {
			frame.write(maskBit | payload.length);
		}
		else if (payload.length <= 0xffff) {
			frame.write(maskBit | 126);
			frame.write(payload.length >>> 8);
			frame.write(payload.length & 0xff);
		}
		else {
			frame.write(maskBit | 127);
			for (int shift = 56; shift >= 0; shift -= 8) {
				frame.write((int) (((long) payload.length >>> shift) & 0xff));
			}
		}
		if (masked) {
			frame.write(MASK, 0, 4);
		}
		for (int i = 0; i < payload.length; i++) {
			frame.write(masked ? (payload[i] ^ MASK[i % 4]) : payload[i]);
		}
		return frame.toByteArray();
	}

	/**
	 * Reads one server frame as "FIN/opcode:payload": {@code F1:hi}, {@code -0:cd}; a close
	 * frame's payload as its status code ({@code F8:1002}); {@code EOF} once the server closed.
	 * @return the frame
	 * @throws IOException when the socket fails
	 */
	String read() throws IOException {
		InputStream in = this.socket.getInputStream();
		int first = in.read();
		int second = in.read();
		if (first < 0 || second < 0) {
			return "EOF";
		}
		long length = second & 0x7f;
		if (length == 126) {
			length = ((in.read() & 0xff) << 8) | (in.read() & 0xff);
		}
		else if (length == 127) {
			length = 0;
			for (int i = 0; i < 8; i++) {
				length = (length << 8) | (in.read() & 0xff);
			}
		}
		byte[] payload = in.readNBytes((int) length);
		int opcode = first & 0x0f;
		String body = (opcode == 8 && payload.length >= 2)
				? String.valueOf(((payload[0] & 0xff) << 8) | (payload[1] & 0xff))
				: new String(payload, StandardCharsets.ISO_8859_1);
		return (((first & 0x80) != 0) ? "F" : "-") + opcode + ":" + body;
	}

	/**
	 * Reads frames until the server's close frame and returns its status code, or -1 when the
	 * connection ends without one.
	 * @return the status code
	 * @throws IOException when the socket fails
	 */
	int readCloseCode() throws IOException {
		while (true) {
			String frame = read();
			if (frame.equals("EOF")) {
				return -1;
			}
			if (frame.startsWith("F8:")) {
				return frame.length() > 3 ? Integer.parseInt(frame.substring(3)) : 1005;
			}
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
