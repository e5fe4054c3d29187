package io.securestreams.runtime;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.StreamsUnderTest.Mode;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw stream's {@code onTx} calls, direct and proxied, as docs/proxy.md lists them: direct, raw
 * has no messages and each {@code requestTx()} gives one call; proxied, the client cannot tell raw
 * from http or ws (the wire carries no protocol), so a write without {@code EOM} is followed by
 * another call at once, and a handler that sets {@code EOM} (ignored on raw) gets one call in both
 * modes.
 */
@ParameterizedClass
@EnumSource(Mode.class)
class RawTxParityTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@Parameter
	Mode mode;

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void aWriteWithoutEomIsFollowedByAnotherCallOnlyWhenProxied() throws Exception {
		Exchange exchange = run(0);
		if (this.mode == Mode.PROXIED) {
			assertThat(exchange.received()).isEqualTo("ababab");
			assertThat(exchange.calls()).isGreaterThanOrEqualTo(4);
		}
		else {
			assertThat(exchange.received()).isEqualTo("ab");
			assertThat(exchange.calls()).isEqualTo(1);
		}
	}

	@Test
	void aWriteWithEomGetsOneCallInBothModes() throws Exception {
		Exchange exchange = run(StreamFlags.EOM);
		assertThat(exchange.received()).isEqualTo("ab");
		assertThat(exchange.calls()).isEqualTo(1);
	}

	/** Connects a raw stream to a peer, asks to send once and returns what the peer read. */
	private Exchange run(int flags) throws Exception {
		ServerSocket peer = this.resources.closing(new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1")));
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.raw(fragment.streamType("raw"), peer.getLocalPort()).set(StreamTypeKey.OPPORTUNISTIC, true);
		AtomicInteger calls = new AtomicInteger();
		CompletableFuture<Void> connected = new CompletableFuture<>();
		StreamHandler handler = new StreamHandler() {
			@Override
			public StreamResult onState(SecureStream stream, StreamState state, long ack) {
				if (state == StreamState.CONNECTED) {
					connected.complete(null);
				}
				return StreamResult.OK;
			}

			@Override
			public StreamResult onTx(SecureStream stream, TxSlot slot) {
				// Three writes at most, so that the proxied client's calls come to an end.
				if (calls.incrementAndGet() > 3) {
					return StreamResult.TX_DONT_SEND;
				}
				slot.write("ab".getBytes(StandardCharsets.US_ASCII)).flags(flags);
				return StreamResult.OK;
			}
		};
		SecureStream stream = this.resources.start(this.mode, fragment.build()).streams().create("raw", handler);
		stream.connect();
		Socket accepted = this.resources.closing(peer.accept());
		connected.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		stream.requestTx();
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		accepted.setSoTimeout(100);
		InputStream in = accepted.getInputStream();
		byte[] buffer = new byte[64];
		Awaitility.await().during(Duration.ofMillis(800)).atMost(WAIT).until(() -> {
			try {
				int n = in.read(buffer);
				if (n > 0) {
					received.write(buffer, 0, n);
				}
			}
			catch (SocketTimeoutException ex) {
				// Nothing more so far.
			}
			return received.size() > 0;
		});
		return new Exchange(received.toString(StandardCharsets.US_ASCII), calls.get());
	}

	private record Exchange(String received, int calls) {
	}

}
