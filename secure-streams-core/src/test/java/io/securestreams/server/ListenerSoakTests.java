package io.securestreams.server;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.testsupport.RoutingServerHandler;
import io.securestreams.testsupport.ScheduledTasks;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A listener that serves many connections over months: its accepted streams, its list of
 * connections and the loops' timers must come back to where they started.
 */
class ListenerSoakTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	private static int connections(SecureStream listener) throws ReflectiveOperationException {
		Field connections = ListenerStream.class.getDeclaredField("connections");
		connections.setAccessible(true);
		return ((Collection<?>) connections.get(listener)).size();
	}

	@ParameterizedTest
	@ValueSource(booleans = { false, true })
	void manyShortConnectionsLeaveNoAcceptedStreamsOrTimers(boolean tls) throws Exception {
		PolicyFragment fragment = TestPolicies.serverCertificate(TestPolicies.base());
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, tls);
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		SecureStream listener = streams.create("srv", new RoutingServerHandler());
		int port = ((InetSocketAddress) listener.localAddress()).getPort();
		List<String> baseline = ScheduledTasks.of(streams);
		byte[] request = "GET /hello?name=x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
			.getBytes(StandardCharsets.US_ASCII);
		for (int i = 0; i < 600; i++) {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port));
				if (!tls && i % 3 == 0) {
					OutputStream out = socket.getOutputStream();
					out.write(request);
					out.flush();
					InputStream in = socket.getInputStream();
					in.readAllBytes();
				}
				else if (i % 3 == 1) {
					// A partial request head, then gone.
					socket.getOutputStream().write("GET / HT".getBytes(StandardCharsets.US_ASCII));
				}
			}
		}
		Awaitility.await().atMost(WAIT).untilAsserted(() -> {
			assertThat(listener.acceptedStreams()).isEmpty();
			assertThat(connections(listener)).isZero();
			assertThat(ContextAccess.runtime(streams).streams())
				.containsExactly((io.securestreams.internal.AbstractStream) listener);
			assertThat(ScheduledTasks.of(streams)).containsExactlyInAnyOrderElementsOf(baseline);
		});
	}

}
