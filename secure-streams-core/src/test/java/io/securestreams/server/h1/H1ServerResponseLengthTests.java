package io.securestreams.server.h1;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A response body of a length announced with {@code requestTxLen} and written over many
 * {@code onTx} calls: each call is told what the body still owes ({@code TxSlot.remaining()}),
 * which a handler may size its writes by.
 */
class H1ServerResponseLengthTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	private static final byte[] BODY = new byte[100_000];

	static {
		new Random(11).nextBytes(BODY);
	}

	/** Writes {@link #BODY} as much as each slot takes, recording what each call still owed. */
	private static final class AnnouncedBody implements StreamHandler {

		final List<Long> remaining = new CopyOnWriteArrayList<>();

		final List<Integer> written = new CopyOnWriteArrayList<>();

		private int sent;

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN) {
				this.sent = 0;
				stream.serverAck(0);
				stream.requestTxLen(BODY.length);
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			this.remaining.add(slot.remaining());
			int length = Math.min(slot.capacity(), BODY.length - this.sent);
			slot.buffer().put(BODY, this.sent, length);
			this.written.add(length);
			slot.flags(((this.sent == 0) ? StreamFlags.SOM : 0)
					| ((this.sent + length == BODY.length) ? StreamFlags.EOM : 0));
			this.sent += length;
			return StreamResult.OK;
		}

	}

	@Test
	void eachTxCallIsToldWhatTheAnnouncedBodyStillOwes() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		AnnouncedBody handler = new AnnouncedBody();
		SecureStream listener = streams.create("srv", handler);
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		HttpResponse<byte[]> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/body")).build(),
					HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("content-length")).hasValue(String.valueOf(BODY.length));
		assertThat(response.body()).isEqualTo(BODY);
		assertThat(handler.remaining).hasSizeGreaterThan(1);
		long owed = BODY.length;
		for (int call = 0; call < handler.remaining.size(); call++) {
			assertThat(handler.remaining.get(call)).as("call %d", call).isEqualTo(owed);
			owed -= handler.written.get(call);
		}
		assertThat(owed).isZero();
	}

}
