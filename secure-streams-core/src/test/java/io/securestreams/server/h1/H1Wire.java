package io.securestreams.server.h1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.securestreams.SecureStream;

/**
 * A plain-socket h1 client for the server tests, so that they see the exact bytes the server
 * writes. Text goes both ways as ISO-8859-1, one char per byte, so non-ASCII bytes survive as
 * they are.
 */
final class H1Wire {

	private H1Wire() {
	}

	/** Connects to a listening server stream, with a read timeout so that a missing answer fails the test. */
	static Socket connect(SecureStream listener) throws IOException {
		Socket socket = new Socket("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort());
		socket.setSoTimeout(10_000);
		return socket;
	}

	static void send(Socket socket, String text) throws IOException {
		OutputStream out = socket.getOutputStream();
		out.write(text.getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	/**
	 * Reads one response: head, then a content-length or chunked body (none for HEAD).
	 * @return the head, up to and including its blank line, and the body
	 */
	static String[] response(InputStream in, boolean head) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		while (!bytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
			int b = in.read();
			if (b < 0) {
				throw new IOException("closed in the head: " + bytes);
			}
			bytes.write(b);
		}
		String headText = bytes.toString(StandardCharsets.ISO_8859_1);
		String lower = headText.toLowerCase();
		String body = "";
		if (!head) {
			int at = lower.indexOf("content-length:");
			if (at >= 0) {
				int n = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
				body = new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
			}
			else if (lower.contains("transfer-encoding: chunked")) {
				StringBuilder sb = new StringBuilder();
				while (true) {
					String size = line(in);
					int n = Integer.parseInt(size.trim(), 16);
					if (n == 0) {
						line(in);
						break;
					}
					sb.append(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
					line(in);
				}
				body = sb.toString();
			}
		}
		return new String[] { headText, body };
	}

	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != '\n') {
			if (b < 0) {
				throw new IOException("closed");
			}
			bytes.write(b);
		}
		return bytes.toString(StandardCharsets.ISO_8859_1).trim();
	}

}
