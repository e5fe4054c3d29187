package io.securestreams.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the C client/proxy wire captures of {@code fixtures/sspc-wire} (lines of
 * {@code time connection direction count hex}, or {@code ... CLOSE}).
 */
public final class WireCapture {

	/** One read as captured: the bytes one side sent in one write. */
	public record Chunk(String connection, boolean fromClient, byte[] bytes) {
	}

	private final List<Chunk> chunks;

	private WireCapture(List<Chunk> chunks) {
		this.chunks = chunks;
	}

	/**
	 * Loads a capture from the test classpath.
	 * @param name the file name under {@code fixtures/sspc-wire/}
	 * @return the capture
	 */
	public static WireCapture load(String name) {
		try (InputStream in = WireCapture.class.getResourceAsStream("/fixtures/sspc-wire/" + name)) {
			if (in == null) {
				throw new IllegalArgumentException("no capture " + name);
			}
			List<Chunk> chunks = new ArrayList<>();
			for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length >= 5 && !fields[3].equals("CLOSE")) {
					chunks.add(new Chunk(fields[1], fields[2].equals("C>P"), HexFormat.of().parseHex(fields[4])));
				}
			}
			return new WireCapture(chunks);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Returns every chunk of both sides in capture order.
	 * @return the conversation
	 */
	public List<Chunk> conversation() {
		return this.chunks;
	}

	/**
	 * Returns the chunks one side sent, in order.
	 * @param fromClient {@code true} for client to proxy
	 * @return the chunks
	 */
	public List<byte[]> chunks(boolean fromClient) {
		return this.chunks.stream().filter((c) -> c.fromClient() == fromClient).map(Chunk::bytes).toList();
	}

	/**
	 * Returns everything one side sent.
	 * @param fromClient {@code true} for client to proxy
	 * @return the bytes
	 */
	public byte[] bytes(boolean fromClient) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		chunks(fromClient).forEach(out::writeBytes);
		return out.toByteArray();
	}

}
