package io.securestreams.server.h1;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.securestreams.server.h1.H1Wire.response;
import static io.securestreams.server.h1.H1Wire.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a raw h1 client's request target puts into the accepted stream's metadata: the bytes it
 * sent, percent-decoded, whatever their encoding.
 */
class H1ServerRequestTargetTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final List<byte[]> paths = new CopyOnWriteArrayList<>();

	private final List<byte[]> names = new CopyOnWriteArrayList<>();

	private final RoutingServerHandler handler = new RoutingServerHandler() {

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN) {
				H1ServerRequestTargetTests.this.paths.add(stream.metadataBytes("path"));
				H1ServerRequestTargetTests.this.names.add(stream.metadataBytes("name"));
			}
			return super.onState(stream, state, ack);
		}

	};

	private SecureStream listener;

	private Socket connect() throws IOException {
		if (this.listener == null) {
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
			SecureStreams streams = this.resources
				.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			this.listener = streams.create("srv", this.handler);
		}
		return H1Wire.connect(this.listener);
	}

	private static byte[] bytes(int... values) {
		byte[] bytes = new byte[values.length];
		for (int i = 0; i < values.length; i++) {
			bytes[i] = (byte) values[i];
		}
		return bytes;
	}

	@Test
	void percentEncodedBytesArriveAsSentWhetherUtf8OrNot() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "GET /caf%C3%A9/%E9?name=%E9t%C3%A9 HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[0]).startsWith("HTTP/1.1 404");
		}
		assertThat(this.paths).singleElement().isEqualTo(bytes('/', 'c', 'a', 'f', 0xc3, 0xa9, '/', 0xe9));
		assertThat(this.names).singleElement().isEqualTo(bytes(0xe9, 't', 0xc3, 0xa9));
	}

	@Test
	void rawNonAsciiBytesOfTheTargetArriveAsSent() throws Exception {
		try (Socket socket = connect()) {
			// One char per byte on the wire: a raw UTF-8 é (C3 A9) in the path and the query.
			send(socket, "GET /caf\u00c3\u00a9?name=\u00c3\u00a9 HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[0]).startsWith("HTTP/1.1 404");
		}
		assertThat(this.paths).singleElement().isEqualTo(bytes('/', 'c', 'a', 'f', 0xc3, 0xa9));
		assertThat(this.names).singleElement().isEqualTo(bytes(0xc3, 0xa9));
	}

	@Test
	void anAsteriskFormTargetIsNoPathOfTheNameAsterisk() throws Exception {
		try (Socket socket = connect()) {
			send(socket, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\nOPTIONS /* HTTP/1.1\r\nHost: x\r\n\r\n");
			assertThat(response(socket.getInputStream(), false)[0]).startsWith("HTTP/1.1 404");
			assertThat(response(socket.getInputStream(), false)[0]).startsWith("HTTP/1.1 404");
		}
		// RFC 9112 section 3.2.4: the server as a whole, which a handler must be able to tell from /*.
		assertThat(this.paths).containsExactly(bytes('*'), bytes('/', '*'));
	}

}
