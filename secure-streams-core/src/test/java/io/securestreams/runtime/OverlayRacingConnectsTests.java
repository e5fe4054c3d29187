package io.securestreams.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.testsupport.CallbackChecker;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Overlays applied and reset over and over while streams of the streamtype they change connect
 * and send: every request follows one policy whole, the base's (GET /old with its header) or the
 * overlay's (POST /new with another), never parts of both.
 */
class OverlayRacingConnectsTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String OVERLAY = "{\"s\": [{\"t\": {\"http_method\": \"POST\", \"http_url\": \"/new\", "
			+ "\"metadata\": [{\"tag\": \"x-new:\"}]}}]}";

	@RegisterExtension
	final TestResources resources = new TestResources();

	private final MockWebServer server = this.resources.mockWebServer();

	@Test
	void everyRequestFollowsOnePolicyWhole() throws Exception {
		Set<String> seen = ConcurrentHashMap.newKeySet();
		List<String> mixed = new CopyOnWriteArrayList<>();
		AtomicInteger requests = new AtomicInteger();
		this.server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				String what = request.getMethod() + " " + request.getUrl().encodedPath() + " old="
						+ request.getHeaders().get("x-old") + " new=" + request.getHeaders().get("x-new");
				seen.add(what);
				if (!what.equals("GET /old old=v new=null") && !what.equals("POST /new old=null new=v")) {
					mixed.add(what);
				}
				requests.incrementAndGet();
				return new MockResponse.Builder().code(200).body("ok").build();
			}
		});
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("t"), "127.0.0.1", this.server.getPort(), "GET", "/old")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("tag", "x-old:")));
		SecureStreams streams = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(2));
		List<CallbackChecker> handlers = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			CallbackChecker handler = new CallbackChecker() {
				@Override
				protected StreamResult state(SecureStream stream, StreamState state) {
					if (state == StreamState.QOS_ACK_REMOTE || state == StreamState.DISCONNECTED
							|| state == StreamState.ALL_RETRIES_FAILED) {
						stream.requestTx();
					}
					return StreamResult.OK;
				}

				@Override
				protected StreamResult tx(SecureStream stream, TxSlot slot) {
					slot.buffer().put((byte) 'x');
					slot.flags(StreamFlags.SOM | StreamFlags.EOM);
					return StreamResult.OK;
				}
			};
			handlers.add(handler);
			SecureStream stream = streams.create("t", handler);
			stream.setMetadata("tag", "v");
			stream.requestTx();
		}
		for (int round = 0; round < 60; round++) {
			int before = requests.get();
			streams.applyOverlay("flip", OVERLAY);
			Awaitility.await().atMost(WAIT).until(() -> requests.get() > before + 2);
			int after = requests.get();
			streams.resetOverlays();
			Awaitility.await().atMost(WAIT).until(() -> requests.get() > after + 2);
		}
		assertThat(mixed).as("seen %s", seen).isEmpty();
		assertThat(seen).contains("GET /old old=v new=null", "POST /new old=null new=v");
		for (CallbackChecker handler : handlers) {
			assertThat(handler.problems).isEmpty();
		}
	}

}
