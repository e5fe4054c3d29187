package io.securestreams.protocol.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-written MQTT "broker" on 127.0.0.1 for malformed or out-of-order packets that a real
 * codec would not produce: the test accepts each connection, reads the client's packets as raw
 * bytes and writes whatever bytes it likes.
 */
final class RawMqttPeer implements AutoCloseable {

	private final ServerSocket server;

	private final BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();

	private final Thread acceptor;

	RawMqttPeer() throws IOException {
		this.server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
		this.acceptor = new Thread(() -> {
			while (!this.server.isClosed()) {
				try {
					this.accepted.add(new Connection(this.server.accept()));
				}
				catch (IOException ex) {
					return;
				}
			}
		}, "raw-mqtt-peer");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	int port() {
		return this.server.getLocalPort();
	}

	/** Waits for the next client connection. */
	Connection accept(Duration timeout) throws InterruptedException {
		Connection next = this.accepted.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
		if (next == null) {
			throw new AssertionError("no connection within " + timeout);
		}
		return next;
	}

	/** Returns a connection accepted within {@code timeout}, or {@code null}. */
	Connection poll(Duration timeout) throws InterruptedException {
		return this.accepted.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		Connection left;
		while ((left = this.accepted.poll()) != null) {
			left.close();
		}
	}

	/** Encodes an MQTT string: two length bytes, then the bytes. */
	static byte[] string(byte[] bytes) {
		byte[] out = new byte[bytes.length + 2];
		out[0] = (byte) (bytes.length >> 8);
		out[1] = (byte) bytes.length;
		System.arraycopy(bytes, 0, out, 2, bytes.length);
		return out;
	}

	/** A whole packet: the first byte, the remaining length and the rest. */
	static byte[] packet(int first, byte[]... parts) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			body.writeBytes(part);
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(first);
		int length = body.size();
		do {
			int digit = length % 128;
			length /= 128;
			out.write((length > 0) ? digit | 0x80 : digit);
		}
		while (length > 0);
		out.writeBytes(body.toByteArray());
		return out.toByteArray();
	}

	static byte[] publish(byte[] topic, int qos, int packetId, String payload) {
		byte[] id = (qos > 0) ? new byte[] { (byte) (packetId >> 8), (byte) packetId } : new byte[0];
		return packet(0x30 | (qos << 1), string(topic), id, payload.getBytes(StandardCharsets.UTF_8));
	}

	static byte[] connAck(boolean sessionPresent, int code) {
		return new byte[] { 0x20, 2, (byte) (sessionPresent ? 1 : 0), (byte) code };
	}

	static byte[] withId(int first, int packetId) {
		return new byte[] { (byte) first, 2, (byte) (packetId >> 8), (byte) packetId };
	}

	/** One accepted client connection. */
	static final class Connection implements AutoCloseable {

		final Socket socket;

		private final DataInputStream in;

		private final OutputStream out;

		Connection(Socket socket) throws IOException {
			this.socket = socket;
			this.socket.setTcpNoDelay(true);
			this.in = new DataInputStream(socket.getInputStream());
			this.out = socket.getOutputStream();
		}

		/**
		 * Reads one packet; returns its first byte followed by its body (without the remaining
		 * length), or {@code null} when the client closed the connection.
		 */
		byte[] read(Duration timeout) throws IOException {
			this.socket.setSoTimeout((int) timeout.toMillis());
			int first = this.in.read();
			if (first < 0) {
				return null;
			}
			int length = 0;
			int shift = 0;
			int digit;
			do {
				digit = this.in.readUnsignedByte();
				length |= (digit & 0x7f) << shift;
				shift += 7;
			}
			while ((digit & 0x80) != 0);
			byte[] packet = new byte[length + 1];
			packet[0] = (byte) first;
			this.in.readFully(packet, 1, length);
			return packet;
		}

		/** Reads packets until one of the given type (the high nibble of the first byte). */
		byte[] readType(int type, Duration timeout) throws IOException {
			while (true) {
				byte[] packet = read(timeout);
				if (packet == null) {
					throw new AssertionError("connection closed before packet type " + type);
				}
				if (((packet[0] & 0xff) >> 4) == type) {
					return packet;
				}
			}
		}

		/** Packet id of a packet read by {@link #read} whose variable header starts with it. */
		static int id(byte[] packet) {
			return ((packet[1] & 0xff) << 8) | (packet[2] & 0xff);
		}

		/** Whether the client closes the connection within {@code timeout}, skipping what it sends. */
		boolean closedWithin(Duration timeout) throws IOException {
			long deadline = System.nanoTime() + timeout.toNanos();
			while (System.nanoTime() < deadline) {
				try {
					if (read(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000))) == null) {
						return true;
					}
				}
				catch (SocketTimeoutException ex) {
					return false;
				}
				catch (IOException ex) {
					return true;
				}
			}
			return false;
		}

		void write(byte[]... chunks) throws IOException {
			for (byte[] chunk : chunks) {
				this.out.write(chunk);
			}
			this.out.flush();
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
