package io.securestreams.proxy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.netty.channel.EventLoop;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.internal.ContextAccess;
import io.securestreams.internal.OnwardStreams;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TransitionGuard;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Links follow their onward streams: a policy replaced without the streamtype destroys the
 * onward stream, which closes the link, and the client's next attempt is refused; streamtypes the
 * proxy cannot carry are refused at creation, as every streamtype is once the context shuts down.
 */
class ProxyLifecycleTests {

	private final TransitionGuard guard = new TransitionGuard();

	@TempDir
	Path temp;

	@Test
	void onwardStreamDestroyedByThePolicyClosesItsLink() {
		Path socket = this.temp.resolve("proxy.sock");
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy");
				SecureStreams context = SecureStreams.builder(unreachableH1("old")).eventLoopThreads(1)
					.listener(this.guard)
					.build();
				SecureStreamsProxy proxy = SecureStreamsProxy.builder(context)
					.listen(ProxyAddress.parse("+" + socket))
					.start();
				SecureStreams client = SecureStreams.proxiedBuilder("+" + socket).eventLoopThreads(1)
					.listener(this.guard)
					.build()) {
			RecordingHandler handler = new RecordingHandler();
			client.create("old", handler);
			handler.await(StreamState.CREATING, Duration.ofSeconds(10));
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> proxy.links().size() == 1);
			context.replacePolicy(unreachableH1("new"));
			assertThat(logs.await("ss proxy link", "(old)", "closing: the onward stream was destroyed")).isNotNull();
			assertThat(logs.await("stream creation failed", "unknown streamtype 'old'")).isNotNull();
			assertThat(handler.stateNames()).containsExactly("CREATING");
			// The client asks again every second: both sides warn once and log the repeats at debug level.
			Logger proxyLogger = (Logger) LoggerFactory.getLogger("io.securestreams.proxy");
			Level level = proxyLogger.getLevel();
			proxyLogger.setLevel(Level.DEBUG);
			try {
				Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lines(logs, "for client pid").size() >= 3
						&& lines(logs, "failed at the proxy").size() >= 3);
			}
			finally {
				proxyLogger.setLevel(level);
			}
			assertThat(lines(logs, "for client pid")).filteredOn((line) -> line.contains("repeats within a minute"))
				.hasSize(1);
			assertThat(lines(logs, "failed at the proxy")).filteredOn((line) -> line.contains("retrying every"))
				.hasSize(1);
		}
		this.guard.assertNoViolations();
	}

	private static List<String> lines(CapturedLogs logs, String text) {
		return logs.messages().stream().filter((line) -> line.contains("stream creation failed") && line.contains(text))
			.toList();
	}


	@Test
	void noOnwardStreamIsCreatedOnceItsContextIsShuttingDown() throws Exception {
		SecureStreams context = SecureStreams.builder(unreachableH1("get")).eventLoopThreads(2).build();
		CountDownLatch destroying = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		// A stream slow to go keeps the shutdown in progress, as a STREAMTYPE may find it.
		context.create("get", new RecordingHandler().onState((stream, state) -> {
			if (state == StreamState.DESTROYING) {
				destroying.countDown();
				awaitQuietly(release);
			}
			return StreamResult.OK;
		}));
		Thread stopper = new Thread(context::close, "test-shutdown");
		stopper.start();
		try {
			assertThat(destroying.await(10, TimeUnit.SECONDS)).isTrue();
			EventLoop loop = ContextAccess.runtime(context).transport().group().next();
			RecordingHandler late = new RecordingHandler();
			assertThatExceptionOfType(SecureStreamsException.class)
				.isThrownBy(() -> OnwardStreams.create(context, "get", late, loop))
				.withMessageContaining("shut down");
			assertThat(late.states).isEmpty();
		}
		finally {
			release.countDown();
			stopper.join(15_000);
		}
		assertThat(ContextAccess.runtime(context).streams()).isEmpty();
	}

	@Test
	void onwardStreamCreatedFromAnEarlierReadOfThePolicyFollowsTheCurrentOne() {
		try (SecureStreams context = SecureStreams.builder(unreachableH1("get")).eventLoopThreads(1)
			.listener(this.guard)
			.build()) {
			Policy read = context.policy();
			context.replacePolicy(unreachableH1("other"));
			EventLoop loop = ContextAccess.runtime(context).transport().group().next();
			RecordingHandler handler = new RecordingHandler();
			OnwardStreams.create(context, read, "get", handler, loop, 0);
			// The replacement removed the streamtype after the read: the stream does not stay.
			handler.await(StreamState.DESTROYING, Duration.ofSeconds(10));
			assertThat(handler.stateNames()).containsExactly("CREATING", "DESTROYING");
			Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.until(() -> ContextAccess.runtime(context).streams().isEmpty());
		}
		this.guard.assertNoViolations();
	}

	// One h1 streamtype to the discard port, which these tests never connect.
	private static Policy unreachableH1(String streamType) {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType(streamType), "127.0.0.1", 9, "GET", "/");
		return fragment.build();
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Test
	void aSecondProxyOnTheSameSocketPathFailsAndTheFirstKeepsItsClients() {
		Path socket = this.temp.resolve("proxy.sock");
		try (SecureStreams context = SecureStreams.builder(unreachableH1("get")).eventLoopThreads(1).build();
				SecureStreamsProxy first = SecureStreamsProxy.builder(context)
					.listen(ProxyAddress.parse("+" + socket))
					.start()) {
			assertThatExceptionOfType(SecureStreamsException.class)
				.isThrownBy(() -> SecureStreamsProxy.builder(context).listen(ProxyAddress.parse("+" + socket)).start())
				.withMessageContaining("the Unix socket " + socket + " is in use by a running listener");
			try (SecureStreams client = SecureStreams.proxiedBuilder("+" + socket).eventLoopThreads(1).build()) {
				RecordingHandler handler = new RecordingHandler();
				client.create("get", handler);
				handler.await(StreamState.CREATING, Duration.ofSeconds(10));
				Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> first.links().size() == 1);
			}
		}
	}

	@Test
	void aFileThatIsNoSocketAtTheSocketPathIsKeptAndStartingFails() throws Exception {
		// A mistyped --uds (the policy file's path, say) must not cost the user that file.
		Path notes = Files.writeString(this.temp.resolve("notes.txt"), "keep me");
		try (SecureStreams context = SecureStreams.builder(unreachableH1("get")).eventLoopThreads(1).build()) {
			assertThatExceptionOfType(SecureStreamsException.class)
				.isThrownBy(() -> SecureStreamsProxy.builder(context).listen(ProxyAddress.parse("+" + notes)).start())
				.withMessageContaining(notes + " is not a Unix socket");
		}
		assertThat(notes).hasContent("keep me");
	}

	@Test
	void closingRemovesTheSocketFileItBound() {
		Path socket = this.temp.resolve("proxy.sock");
		try (SecureStreams context = SecureStreams.builder(unreachableH1("get")).eventLoopThreads(1).build()) {
			SecureStreamsProxy.builder(context).listen(ProxyAddress.parse("+" + socket)).start().close();
			assertThat(socket).doesNotExist();
		}
	}

	@Test
	void startingOnAContextThatIsShutDownIsAClearError() {
		Path socket = this.temp.resolve("proxy.sock");
		SecureStreams context = SecureStreams.builder(unreachableH1("get")).eventLoopThreads(1).build();
		context.close();
		assertThatExceptionOfType(SecureStreamsException.class)
			.isThrownBy(() -> SecureStreamsProxy.builder(context).listen(ProxyAddress.parse("+" + socket)).start())
			.withMessageContaining("the context it was given is shut down");
		assertThat(socket).doesNotExist();
	}

	@Test
	void closingAfterItsContextWasClosedFirstReturnsQuietly() {
		Path socket = this.temp.resolve("proxy.sock");
		SecureStreams context = SecureStreams.builder(unreachableH1("get")).eventLoopThreads(1)
			.listener(this.guard)
			.build();
		SecureStreamsProxy proxy = SecureStreamsProxy.builder(context).listen(ProxyAddress.parse("+" + socket)).start();
		try (SecureStreams client = SecureStreams.proxiedBuilder("+" + socket).eventLoopThreads(1)
			.listener(this.guard)
			.build()) {
			RecordingHandler handler = new RecordingHandler();
			client.create("get", handler);
			handler.await(StreamState.CREATING, Duration.ofSeconds(10));
			Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> proxy.links().size() == 1);
			// The application stops the context it lent the proxy before the proxy itself (its
			// loops close the listening channel and the links), then closes the proxy as usual.
			context.close();
			proxy.close();
			assertThat(socket).doesNotExist();
		}
		this.guard.assertNoViolations();
	}

	@Test
	void streamtypesWhoseStreamsShareAConnectionAreCarried() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		fragment.streamType("telemetry")
			.set(StreamTypeKey.PROTOCOL, Protocol.MQTT)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, 9)
			.set(StreamTypeKey.MQTT_TOPIC, "t");
		Path socket = this.temp.resolve("proxy.sock");
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy");
				SecureStreams context = SecureStreams.builder(fragment.build()).eventLoopThreads(1)
					.listener(this.guard)
					.build();
				SecureStreamsProxy proxy = SecureStreamsProxy.builder(context)
					.listen(ProxyAddress.parse("+" + socket))
					.start();
				SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			client.connect(UnixDomainSocketAddress.of(socket));
			FrameReader.write(client, SsWire.toBytes(new ToProxy.StreamType(1, 3, 1, "telemetry")));
			// The onward MQTT stream lives on its broker connection's loop (MqttProxiedTests has the
			// traffic); here only the creation is checked: ok, then CREATING.
			FrameReader frames = new FrameReader(client);
			assertThat(frames.next().bytes()).startsWith(0x56, 0, 15, 0);
			assertThat(frames.next().bytes()).containsExactly(0x57, 0, 5, 1, 0, 0, 0, 0);
			assertThat(logs.messages()).noneMatch((m) -> m.contains("stream creation failed"));
		}
		this.guard.assertNoViolations();
	}

}
