package io.securestreams.protocol.raw;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw stream whose {@code onTx} has nothing yet (OK with no bytes) and asks again at once, as
 * an application polling another source does: the event loop goes on serving its other streams
 * between the calls, and the bytes the application has later still go out.
 */
class RawEmptyTxTests {

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void anOnTxThatWritesNothingAndAsksAgainLeavesTheLoopToOtherStreams() throws Exception {
		try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
			peer.setSoTimeout(10_000);
			PolicyFragment fragment = TestPolicies.base();
			TestPolicies.raw(fragment.streamType("raw"), peer.getLocalPort());
			// One event loop: the polling stream and the other share it.
			SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
			AtomicBoolean ready = new AtomicBoolean();
			RecordingHandler polling = new RecordingHandler() {
				@Override
				public StreamResult onTx(SecureStream stream, TxSlot slot) {
					if (!ready.get()) {
						stream.requestTx();
						return StreamResult.OK;
					}
					slot.buffer().put("ready".getBytes(StandardCharsets.US_ASCII));
					return StreamResult.OK;
				}
			};
			try {
				SecureStream first = streams.create("raw", polling);
				first.connect();
				try (Socket a = peer.accept()) {
					polling.await(StreamState.CONNECTED, Duration.ofSeconds(5));
					first.requestTx();
					RecordingHandler other = new RecordingHandler();
					streams.create("raw", other).connect();
					try (Socket b = peer.accept()) {
						other.await(StreamState.CONNECTED, Duration.ofSeconds(5));
					}
					ready.set(true);
					a.setSoTimeout(5000);
					assertThat(new String(a.getInputStream().readNBytes(5), StandardCharsets.US_ASCII))
						.isEqualTo("ready");
				}
			}
			finally {
				// Frees the loop if it is held, so that the context can stop.
				ready.set(true);
			}
		}
	}

}
