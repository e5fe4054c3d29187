package io.securestreams.boot.annotation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.boot.annotation.SecureStreamHandler.Start;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @SecureStreamHandler(initialPeerTxCredit = ...)}: the handler's streams give the h2
 * server that much credit and no more until the handler grants it, against Reactor Netty's h2c
 * server; a negative credit, or one on {@code _lws_smd}, fails the start-up naming the bean.
 */
class SecureStreamHandlerPeerTxCreditTests {

	private static final byte[] BODY = new byte[250_000];

	private DisposableServer server;

	private ApplicationContextRunner runner;

	@BeforeEach
	void start() {
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.protocol(HttpProtocol.H2C)
			.handle((request, response) -> response.sendByteArray(Mono.just(BODY)))
			.bindNow();
		String type = "secure-streams.policy.streamtypes.big.";
		this.runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
					type + "endpoint=127.0.0.1", type + "port=" + this.server.port(), type + "protocol=h2",
					type + "http-method=GET", type + "http-url=/big", type + "opportunistic=true");
	}

	@AfterEach
	void stop() {
		this.server.disposeNow();
	}

	@Test
	void theHandlersStreamsStartWithTheCreditAndTakeGrants() {
		this.runner.withBean("paced", PacedHandler.class).run((context) -> {
			PacedHandler handler = context.getBean(PacedHandler.class);
			Awaitility.await().until(() -> handler.received.get() >= 100_000);
			Awaitility.await()
				.during(Duration.ofMillis(700))
				.atMost(Duration.ofSeconds(3))
				.until(() -> handler.received.get() == 100_000);
			handler.stream.get().addPeerTxCredit(BODY.length - 100_000);
			Awaitility.await().until(() -> handler.states.contains("QOS_ACK_REMOTE"));
			assertThat(handler.received.get()).isEqualTo(BODY.length);
		});
	}

	@Test
	void aNegativeCreditFailsNamingTheBean() {
		this.runner.withBean("bad", NegativeCreditHandler.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains("bean 'bad'")
				.contains("has initialPeerTxCredit -1; it must be 0 (automatic flow control) or positive");
		});
	}

	@Test
	void aCreditOnTheSmdStreamTypeFailsNamingTheBean() {
		this.runner.withBean("bad", SmdCreditHandler.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains("bean 'bad'")
				.contains("sets initialPeerTxCredit, which the built-in streamtype _lws_smd does not take");
		});
	}

	private static String messages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable current = failure; current != null; current = current.getCause()) {
			messages.append(current.getMessage()).append('\n');
		}
		return messages.toString();
	}

	@SecureStreamHandler(value = "big", initialPeerTxCredit = 100_000, start = Start.REQUEST_TX)
	static class PacedHandler {

		final List<String> states = new CopyOnWriteArrayList<>();

		final AtomicInteger received = new AtomicInteger();

		final AtomicReference<SecureStream> stream = new AtomicReference<>();

		@OnState
		void state(SecureStream stream, StreamState state) {
			this.stream.set(stream);
			this.states.add(state.name());
		}

		@OnRx
		void rx(byte[] payload) {
			this.received.addAndGet(payload.length);
		}

	}

	@SecureStreamHandler(value = "big", initialPeerTxCredit = -1)
	static class NegativeCreditHandler {

		@OnRx
		void rx(byte[] payload) {
		}

	}

	@SecureStreamHandler(value = "_lws_smd", initialPeerTxCredit = 1000)
	static class SmdCreditHandler {

		@OnRx
		void rx(byte[] payload) {
		}

	}

}
