package io.securestreams.proxy.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedProxy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frame forms and stream ends the other proxied-client tests do not reach: RX_PAYLOAD with a
 * rideshare name, CONNSTATE with 2 to 4 state bytes (reference §7.4), destroy() before the proxy
 * created its stream or while it cannot be reached.
 */
class ProxiedClientEdgeTests extends ScriptedProxyFixture {

	private ScriptedProxy.Link acceptStreamType() throws Exception {
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		assertThat(link.next().type()).isEqualTo(0xaa);
		return link;
	}

	@Test
	void rideshareNamesAndEveryConnStateWidthAreReadAsLibwebsocketsReadsThem() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy.client")) {
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("r", handler);
			ScriptedProxy.Link link = acceptStreamType();
			link.send(ToClient.CreateResult.ok(0, List.of("r")), state(StreamState.CREATING));
			// The RIDESHARE flag without the name's length byte, then with a name longer than the frame.
			link.send(new byte[] { 0x55, 0, 16, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
			link.awaitClosed();
			assertThat(logs.await("hanging up the proxy link", "no rideshare name")).contains("r");
			link = acceptStreamType();
			link.send(ToClient.CreateResult.ok(0, List.of("r")), state(StreamState.CREATING));
			link.send(new byte[] { 0x55, 0, 19, 0, 0, 0, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 'a', 'b' });
			link.awaitClosed();
			assertThat(logs.await("rideshare name of 5 bytes overruns")).contains("r");
			link = acceptStreamType();
			link.send(ToClient.CreateResult.ok(0, List.of("r")), state(StreamState.CREATING));
			// A rideshare name is read past, and the flag not handed over.
			link.send(new byte[] { 0x55, 0, 20, 0, 0, 0, 0x23, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 'a', 'b', 'x' });
			// 2- 3- and 4-byte CONNSTATE forms.
			link.send(new byte[] { 0x57, 0, 6, 0, 6, 0, 0, 0, 1 });
			link.send(new byte[] { 0x57, 0, 7, 0, 0, 5, 0, 0, 0, 2 });
			link.send(new byte[] { 0x57, 0, 8, 0, 0, 0, 10, 0, 0, 0, 3 });
			handler.await(StreamState.QOS_ACK_REMOTE, WAIT);
			assertThat(handler.stateNames()).containsExactly("CREATING", "CONNECTING", "CONNECTED", "QOS_ACK_REMOTE");
			assertThat(handler.received()).isEqualTo("x".getBytes(StandardCharsets.US_ASCII));
			assertThat(handler.rxFlags).containsExactly(StreamFlags.SOM | StreamFlags.EOM);
		}
		this.guard.assertNoViolations();
	}

	@Test
	void destroyWhileWaitingForCreateResultClosesTheLinkForGood() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("d", handler);
		stream.startTimeout(100);
		stream.setMetadata("a", "b");
		ScriptedProxy.Link link = acceptStreamType();
		assertThat(link.next().type()).isEqualTo(0xb0);
		stream.destroy();
		link.awaitClosed();
		Awaitility.await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> this.proxy.acceptNow() == null);
		assertThat(handler.states).isEmpty();
	}

	@Test
	void destroyWhileTheProxyIsUnreachableStopsTheRetries() throws Exception {
		proxiedContext(this.guard);
		RecordingHandler handler = new RecordingHandler();
		SecureStream stream = this.streams.create("d", handler);
		handler.await(StreamState.UPSTREAM_LINK_RETRY, WAIT);
		stream.destroy();
		stream.whenDestroyed().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		int n = handler.states.size();
		this.proxy.listen();
		Awaitility.await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() -> this.proxy.acceptNow() == null);
		assertThat(handler.states).hasSize(n);
		assertThat(handler.stateNames()).containsOnly("UPSTREAM_LINK_RETRY");
	}

}
