package io.securestreams.protocol.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MultipartParts}: parts whatever the cuts of the body, bytes that only look like the
 * start of a delimiter, a body cut short, and responses that are not multipart.
 */
class MultipartPartsTests {

	private final List<String> delivered = new ArrayList<>();

	private StreamResult record(ByteBuf data, int flags) {
		this.delivered.add(StreamFlags.toString(flags) + ":" + data.toString(StandardCharsets.ISO_8859_1));
		return StreamResult.OK;
	}

	private static HttpResponse response(String contentType) {
		HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
		response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
		return response;
	}

	// The messages delivered, each with the flags of its last piece but SOM, checking that SOM
	// marks exactly the first piece of each.
	private List<String> messages() {
		List<String> messages = new ArrayList<>();
		StringBuilder message = null;
		for (String piece : this.delivered) {
			int colon = piece.indexOf(':');
			String flags = piece.substring(0, colon);
			assertThat(flags.startsWith("SOM")).as(piece).isEqualTo(message == null);
			message = (message == null) ? new StringBuilder() : message;
			message.append(piece.substring(colon + 1));
			if (flags.contains("EOM")) {
				messages.add(flags.replace("SOM|", "") + ":" + message);
				message = null;
			}
		}
		assertThat(message).isNull();
		return messages;
	}

	@Test
	void partsAreFoundWhereverTheBodyIsCut() {
		String body = "--b\r\nA: 1\r\n\r\none\r\n--c\r\n--b\r\n\r\ntwo\r\n--b--\r\n";
		for (int cut = 1; cut <= body.length(); cut++) {
			this.delivered.clear();
			MultipartParts parts = MultipartParts.of(response("multipart/mixed; boundary=b"), this::record);
			assertThat(parts).isNotNull();
			for (int at = 0; at < body.length(); at += cut) {
				String piece = body.substring(at, Math.min(body.length(), at + cut));
				parts.feed(Unpooled.wrappedBuffer(piece.getBytes(StandardCharsets.ISO_8859_1)));
			}
			parts.end();
			assertThat(messages()).as("cut every %d bytes", cut)
				.containsExactly("EOM:A: 1\r\n\r\none\r\n--c", "EOM|RELATED_END:\r\ntwo");
		}
	}

	@Test
	void aBodyCutShortEndsItsLastPart() {
		MultipartParts parts = MultipartParts.of(response("multipart/form-data; boundary=\"q\""), this::record);
		parts.feed(Unpooled.wrappedBuffer("--q\r\n\r\nunfinished".getBytes(StandardCharsets.ISO_8859_1)));
		parts.end();
		assertThat(messages()).containsExactly("EOM|RELATED_END:\r\nunfinished");
	}

	@Test
	void onlyMultipartResponsesWithABoundaryAreSplit() {
		assertThat(MultipartParts.of(response("text/plain"), this::record)).isNull();
		assertThat(MultipartParts.of(response("multipart/mixed"), this::record)).isNull();
		assertThat(MultipartParts.of(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK),
				this::record)).isNull();
	}

	@Test
	void transportPaddingAfterADelimiterIsNotPartOfThePart() {
		String body = "--b \t\r\nA: 1\r\n\r\none\r\n--b  \r\n\r\ntwo\r\n--b-- \r\n";
		MultipartParts parts = MultipartParts.of(response("multipart/mixed; boundary=b"), this::record);
		parts.feed(Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.ISO_8859_1)));
		parts.end();
		assertThat(messages()).containsExactly("EOM:A: 1\r\n\r\none", "EOM|RELATED_END:\r\ntwo");
	}

	@Test
	void aBodyWithoutPartsStillEndsTheGroupItStarted() {
		for (String body : List.of("--b--\r\n", "preamble only", "")) {
			this.delivered.clear();
			MultipartParts parts = MultipartParts.of(response("multipart/mixed; boundary=b"), this::record);
			parts.start();
			parts.feed(Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.ISO_8859_1)));
			parts.end();
			assertThat(this.delivered).as(body).containsExactly("RELATED_START:", "RELATED_END:");
		}
	}

}
