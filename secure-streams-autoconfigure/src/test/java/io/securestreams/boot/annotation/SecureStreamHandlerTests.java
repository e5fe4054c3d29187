package io.securestreams.boot.annotation;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.StreamRole;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.boot.annotation.SecureStreamHandler.Start;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import io.securestreams.boot.config.SecureStreamHandlerContainer;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.boot.handler.MethodStreamHandler;
import io.securestreams.boot.handler.SecureStreamHeaders;
import io.securestreams.policy.Policy;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;
import jakarta.annotation.PreDestroy;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.messaging.handler.annotation.Header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link SecureStreamHandler} beans against a local http server: streams created with the
 * context, every supported parameter kind, and start-up failures that name the bean and method.
 */
class SecureStreamHandlerTests {

	private final MockWebServer server = new MockWebServer();

	private ApplicationContextRunner runner;

	@BeforeEach
	void start() throws Exception {
		this.server.start(InetAddress.getByName("127.0.0.1"), 0);
		String type = "secure-streams.policy.streamtypes.";
		this.runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
					type + "get.endpoint=127.0.0.1", type + "get.port=" + this.server.getPort(),
					type + "get.http-method=GET", type + "get.http-url=/data", type + "get.opportunistic=true",
					type + "get.metadata.ctype=content-type:", type + "post.endpoint=127.0.0.1",
					type + "post.port=" + this.server.getPort(), type + "post.http-method=POST",
					type + "post.http-url=/upload", type + "post.opportunistic=true");
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void clientStreamsAreCreatedAndDrivenForTheHandler() {
		this.server.enqueue(new MockResponse.Builder().code(200)
			.setHeader("content-type", "text/plain")
			.body("hello")
			.build());
		this.runner.withBean("recordingGetHandler", RecordingGetHandler.class).run((context) -> {
			RecordingGetHandler handler = context.getBean(RecordingGetHandler.class);
			Awaitility.await().until(() -> handler.states.contains("QOS_ACK_REMOTE"));
			assertThat(handler.states).startsWith("CREATING", "POLL", "CONNECTING", "CONNECTED");
			assertThat(handler.acked).containsExactly("get");
			assertThat(handler.body.toString()).isEqualTo("hello");
			assertThat(handler.contentTypes).contains("text/plain");
			assertThat(handler.flags).last().isEqualTo(StreamFlags.EOM);
			SecureStreamHandlerEndpointRegistry registry = context.getBean(SecureStreamHandlerEndpointRegistry.class);
			assertThat(registry.getHandlerContainerIds()).containsExactly("recordingGetHandler#get");
			assertThat(registry.getHandlerContainer("recordingGetHandler#get").getStreams()).hasSize(1);
		});
	}

	@Test
	void handlerStreamsComeBackWhenAPolicyDefinesTheirStreamtypeAgain() {
		this.server.enqueue(new MockResponse.Builder().code(200).body("one").build());
		this.server.enqueue(new MockResponse.Builder().code(200).body("two").build());
		this.runner.withBean("recordingGetHandler", RecordingGetHandler.class).run((context) -> {
			RecordingGetHandler handler = context.getBean(RecordingGetHandler.class);
			SecureStreams streams = context.getBean(SecureStreams.class);
			SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
				.getHandlerContainer("recordingGetHandler#get");
			Awaitility.await().until(() -> handler.acked.size() == 1);
			Policy full = streams.policy();
			Map<String, StreamTypePolicy> others = new LinkedHashMap<>(full.streamTypes());
			others.remove("get");
			// A fetched policy without the streamtype destroys its streams...
			streams.replacePolicy(new Policy(full.release(), full.product(), full.schemaVersion(), full.viaSocks5(),
					full.retry(), full.certs(), full.trustStores(), full.auth(), full.metrics(), others));
			Awaitility.await().until(() -> handler.states.contains("DESTROYING"));
			assertThat(container.getStreams()).isEmpty();
			// ...and one that defines it again gives the handler its streams back.
			streams.replacePolicy(full);
			Awaitility.await().until(() -> handler.acked.size() == 2);
			assertThat(container.getStreams()).hasSize(1);
			assertThat(handler.body.toString()).isEqualTo("onetwo");
		});
	}

	@Test
	void jsonPayloadIsMappedFromTheWholeMessage() {
		this.server.enqueue(new MockResponse.Builder().code(200).body("{\"name\":\"probe\",\"value\":42}").build());
		this.runner.withBean(JsonHandler.class).run((context) -> {
			JsonHandler handler = context.getBean(JsonHandler.class);
			Awaitility.await().until(() -> !handler.readings.isEmpty());
			assertThat(handler.readings).containsExactly(new Reading("probe", 42));
		});
	}

	@Test
	void jsonPayloadIsMappedWithTheApplicationsJsonMapper() {
		// Before, a private mapper ignored spring.jackson.* and the application's modules.
		String body = "{\"sensor_name\":\"probe\",\"value\":42}";
		this.server.enqueue(new MockResponse.Builder().code(200).body(body).build());
		this.runner.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class))
			.withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE")
			.withBean(SnakeCaseHandler.class)
			.run((context) -> {
				SnakeCaseHandler handler = context.getBean(SnakeCaseHandler.class);
				Awaitility.await().until(() -> !handler.readings.isEmpty());
				assertThat(handler.readings).containsExactly(new SensorReading("probe", 42));
			});
	}

	@Test
	void txMethodSendsTheBody() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
		this.runner.withBean(PostHandler.class).run((context) -> {
			RecordedRequest request = this.server.takeRequest();
			assertThat(request.getMethod()).isEqualTo("POST");
			assertThat(request.getBody().utf8()).isEqualTo("posted");
			PostHandler handler = context.getBean(PostHandler.class);
			Awaitility.await().until(() -> handler.done);
		});
	}

	@Test
	void countCreatesSeveralStreamsAndStopDestroysThem() {
		this.runner.withBean(IdleHandler.class).run((context) -> {
			SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
				.getHandlerContainer("idle");
			assertThat(container.getStreams()).hasSize(3)
				.allSatisfy((stream) -> assertThat(stream.streamType()).isEqualTo("get"));
			context.stop();
			assertThat(container.isRunning()).isFalse();
			assertThat(container.getStreams()).isEmpty();
			Awaitility.await().untilAsserted(() -> assertThat(context.getBean(IdleHandler.class).destroyed).hasSize(3));
		});
	}

	@Test
	void handlerBeansGetTheirStreamsUnderLazyInitialization() {
		// spring.main.lazy-initialization=true registers this post-processor.
		this.runner.withBean(LazyInitializationBeanFactoryPostProcessor.class)
			.withBean(IdleHandler.class)
			.run((context) -> {
				SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
					.getHandlerContainer("idle");
				assertThat(container).isNotNull();
				assertThat(container.getStreams()).hasSize(3);
			});
	}

	@Test
	void closingTheContextDeliversDestroyingBeforeHandlerBeansAreDestroyed() {
		AtomicReference<ShutdownOrderHandler> handler = new AtomicReference<>();
		this.runner.withBean(ShutdownOrderHandler.class).run((context) -> {
			handler.set(context.getBean(ShutdownOrderHandler.class));
			Awaitility.await().until(() -> handler.get().events.size() == 3);
		});
		assertThat(handler.get().events).containsExactly("CREATING", "CREATING", "CREATING", "DESTROYING", "DESTROYING",
				"DESTROYING", "preDestroy");
	}

	@Test
	void autoStartupFalseLeavesTheStreamsToTheApplication() {
		this.runner.withBean(IdleHandler.class).withPropertyValues("idle.auto=false").run((context) -> {
			SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
				.getHandlerContainer("idle");
			assertThat(container.isRunning()).isFalse();
			assertThat(container.getStreams()).isEmpty();
			container.start();
			assertThat(container.getStreams()).hasSize(3);
		});
	}

	@Test
	void acceptedConnectionsOfAServerStreamTypeAreDispatchedToTheHandler() {
		String type = "secure-streams.policy.streamtypes.srv.";
		this.runner.withBean("server", ServerHandler.class)
			.withPropertyValues(type + "server=true", type + "endpoint=127.0.0.1", type + "port=0",
					type + "metadata.path=", type + "metadata.method=")
			.run((context) -> {
				SecureStreamHandlerContainer container = context.getBean(SecureStreamHandlerEndpointRegistry.class)
					.getHandlerContainer("server#srv");
				SecureStream listener = container.getStreams().get(0);
				assertThat(listener.role()).isEqualTo(StreamRole.LISTENER);
				int port = ((InetSocketAddress) listener.localAddress()).getPort();
				HttpClient client = HttpClient.newHttpClient();
				HttpResponse<String> response = client.send(
						HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/greet")).build(),
						HttpResponse.BodyHandlers.ofString());
				assertThat(response.statusCode()).isEqualTo(200);
				assertThat(response.body()).isEqualTo("hello GET /greet");
				ServerHandler handler = context.getBean(ServerHandler.class);
				assertThat(handler.roles).contains(StreamRole.ACCEPTED);
				assertThat(container.getStreams()).extracting(SecureStream::role).contains(StreamRole.ACCEPTED);
			});
	}

	@Test
	void serverStreamTypeWithACountFails() {
		String type = "secure-streams.policy.streamtypes.srv.";
		this.runner.withBean("bad", CountedServerHandler.class)
			.withPropertyValues(type + "server=true", type + "endpoint=127.0.0.1", type + "port=0",
					type + "metadata.path=", type + "metadata.method=")
			.run((context) -> assertThat(messages(context.getStartupFailure()))
				.contains("asks for 2 streams of server streamtype 'srv', which has one listener"));
	}

	@Test
	void systemMessageHandlersNeedNoPolicyEntryAndGetTheirClasses() {
		this.runner.withBean(SmdHandler.class).run((context) -> {
			SecureStreams streams = context.getBean(SecureStreams.class);
			SmdHandler handler = context.getBean(SmdHandler.class);
			Awaitility.await().until(() -> handler.states.contains("CONNECTED"));
			streams.smd().publish(SmdClass.SYSTEM_STATE, "not for it");
			streams.smd().publish(SmdClass.NETWORK, "{\"type\":\"cpd\",\"result\":\"OK\"}");
			Awaitility.await().until(() -> !handler.messages.isEmpty());
			assertThat(handler.messages).extracting(SmdMessage::text)
				.containsExactly("{\"type\":\"cpd\",\"result\":\"OK\"}");
			assertThat(handler.states).containsExactly("CREATING", "CONNECTING", "CONNECTED");
		});
	}

	@Test
	void smdClassesOnAnyOtherStreamTypeFailsNamingTheBean() {
		assertFailure(MisplacedSmdClassesHandler.class, "bean 'bad'",
				"sets smdClasses, which only the built-in streamtype _lws_smd takes");
	}

	@Test
	void unknownStreamTypeFailsNamingTheBean() {
		this.runner.withBean("lost", UnknownStreamTypeHandler.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains("bean 'lost'")
				.contains("streamtype 'nope', which the policy does not define")
				.contains("[get, post]");
		});
	}

	@Test
	void payloadInStateMethodFailsNamingTheMethod() {
		assertFailure(BadStateSignatureHandler.class,
				"Invalid @OnState method 'BadStateSignatureHandler.state(String)'", "on bean 'bad'",
				"@OnState methods get no payload");
	}

	@Test
	void wrongReturnTypeFails() {
		assertFailure(BadReturnHandler.class, "Invalid @OnRx method 'BadReturnHandler.rx(byte[])'",
				"return type String: must be StreamResult or void");
	}

	@Test
	void headerTheCallbackDoesNotCarryFailsNamingTheMethod() {
		// Left to run time, every received chunk would fail with a missing header and disconnect.
		assertFailure(AckInRxHandler.class, "Invalid @OnRx method 'AckInRxHandler.rx(byte[], long)'", "on bean 'bad'",
				"@OnRx methods get no header 'securestreams_ack'");
	}

	@Test
	void aPrototypeHandlerBeanFailsStartUpNamingIt() {
		// Nothing creates a prototype at start-up: it would silently have no streams.
		this.runner
			.withBean("perRequest", AckFreeHandler.class, AckFreeHandler::new,
					(definition) -> definition.setScope("prototype"))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(messages(context.getStartupFailure())).contains(
						"@SecureStreamHandler bean 'perRequest' has scope 'prototype'; handler beans must be "
								+ "singletons");
			});
	}

	@Test
	void aLazyHandlerBeanFailsStartUpNamingIt() {
		// A lazy handler is created after the endpoints went to the registry, if ever: before, it
		// was silently left without streams.
		String expected = "@SecureStreamHandler bean 'lazyHandler' is lazy-init (@Lazy); handler beans must be "
				+ "created at start-up";
		this.runner
			.withBean("lazyHandler", AckFreeHandler.class, AckFreeHandler::new,
					(definition) -> definition.setLazyInit(true))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(messages(context.getStartupFailure())).contains(expected);
			});
		this.runner.withUserConfiguration(LazyHandlerConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains(expected);
		});
	}

	@Test
	void aHandlerBeanCreatedAfterStartUpFailsNamingIt() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			var registry = (BeanDefinitionRegistry) context
				.getSourceApplicationContext()
				.getAutowireCapableBeanFactory();
			registry.registerBeanDefinition("lateHandler",
					new RootBeanDefinition(AckFreeHandler.class));
			assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> context.getBean("lateHandler"))
				.havingRootCause()
				.withMessageContaining("@SecureStreamHandler bean 'lateHandler' was created after start-up");
			assertThat(context.getBean(SecureStreamHandlerEndpointRegistry.class).getHandlerContainerIds()).isEmpty();
		});
	}

	@Test
	void aJsonMessageBeyondTheLimitDisconnectsWithoutReachingTheMethod() {
		String oversized = "[" + "0,".repeat(MethodStreamHandler.MAX_MAPPED_MESSAGE / 2 + 1024) + "0]";
		this.server.enqueue(new MockResponse.Builder().code(200).body(oversized).build());
		this.runner.withBean(JsonStatesHandler.class).run((context) -> {
			JsonStatesHandler handler = context.getBean(JsonStatesHandler.class);
			Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> handler.states.contains("DISCONNECTED"));
			assertThat(handler.readings).isEmpty();
		});
	}

	@Test
	void twoRxMethodsFail() {
		assertFailure(TwoRxHandler.class, "has two @OnRx methods");
	}

	@Test
	void aMethodWithTwoHandlerAnnotationsFailsNamingBoth() {
		// Before, the method was kept for one of them and the other's calls were silently lost.
		assertFailure(StateAndRxHandler.class,
				"Invalid handler method 'StateAndRxHandler.both(StreamState)' on bean 'bad'",
				"annotated with both @OnState and @OnRx");
		assertFailure(RxAndTxHandler.class, "Invalid handler method 'RxAndTxHandler.both(SecureStream)' on bean 'bad'",
				"annotated with both @OnRx and @OnTx");
	}

	@Test
	void unknownStateNameFails() {
		assertFailure(BadStateNameHandler.class, "'CONECTED' is not a state name");
	}

	@Test
	void undeclaredMetadataFails() {
		assertFailure(UndeclaredMetadataHandler.class, "reads @Metadata(\"etag\")", "does not declare");
	}

	@Test
	void handlerMethodsWithoutTheAnnotationFail() {
		assertFailure(NotAHandler.class, "has handler method 'NotAHandler.state()'",
				"not annotated with @SecureStreamHandler");
	}

	private void assertFailure(Class<?> handler, String... messages) {
		this.runner.withBean("bad", handler).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains(messages);
		});
	}

	private static String messages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable current = failure; current != null; current = current.getCause()) {
			messages.append(current.getMessage()).append('\n');
		}
		return messages.toString();
	}

	@SecureStreamHandler(streamtype = "get", start = Start.REQUEST_TX)
	static class RecordingGetHandler {

		final List<String> states = new CopyOnWriteArrayList<>();

		final List<String> acked = new CopyOnWriteArrayList<>();

		final List<Integer> flags = new CopyOnWriteArrayList<>();

		final List<String> contentTypes = new CopyOnWriteArrayList<>();

		final StringBuffer body = new StringBuffer();

		@OnState
		void state(StreamState state, @Header(SecureStreamHeaders.ACK) long ack) {
			this.states.add(state.name());
		}

		@OnState("QOS_ACK_REMOTE")
		StreamResult acked(SecureStream stream) {
			this.acked.add(stream.streamType());
			return StreamResult.OK;
		}

		@OnRx
		void rx(String chunk, @Flags int flags, @Metadata("ctype") String contentType) {
			this.body.append(chunk);
			this.flags.add(flags);
			this.contentTypes.add(contentType);
		}

	}

	record Reading(String name, int value) {
	}

	record SensorReading(String sensorName, int value) {
	}

	@SecureStreamHandler(streamtype = "get", start = Start.REQUEST_TX)
	static class SnakeCaseHandler {

		final List<SensorReading> readings = new CopyOnWriteArrayList<>();

		@OnRx
		void rx(SensorReading reading) {
			this.readings.add(reading);
		}

	}

	@SecureStreamHandler(streamtype = "get", start = Start.REQUEST_TX)
	static class JsonHandler {

		final List<Reading> readings = new CopyOnWriteArrayList<>();

		@OnRx
		void rx(Reading reading) {
			this.readings.add(reading);
		}

	}

	@SecureStreamHandler(streamtype = "get", start = Start.REQUEST_TX)
	static class JsonStatesHandler {

		final List<List<Integer>> readings = new CopyOnWriteArrayList<>();

		final List<String> states = new CopyOnWriteArrayList<>();

		@OnRx
		void rx(List<Integer> values) {
			this.readings.add(values);
		}

		@OnState
		void state(StreamState state) {
			this.states.add(state.name());
		}

	}

	@SecureStreamHandler(value = "_lws_smd", smdClasses = SmdClass.NETWORK)
	static class SmdHandler {

		final List<String> states = new CopyOnWriteArrayList<>();

		final List<SmdMessage> messages = new CopyOnWriteArrayList<>();

		@OnState
		void state(StreamState state) {
			this.states.add(state.name());
		}

		@OnRx
		void rx(byte[] message) {
			this.messages.add(SmdMessage.decode(ByteBuffer.wrap(message)));
		}

	}

	@SecureStreamHandler(value = "get", smdClasses = SmdClass.NETWORK)
	static class MisplacedSmdClassesHandler {

		@OnRx
		void rx(byte[] message) {
		}

	}

	@SecureStreamHandler("post")
	static class PostHandler {

		private static final byte[] BODY = "posted".getBytes(StandardCharsets.UTF_8);

		volatile boolean done;

		@OnState("CREATING")
		void created(SecureStream stream) {
			stream.requestTxLen(BODY.length);
		}

		@OnTx
		StreamResult tx(TxSlot slot) {
			slot.write(BODY).flags(StreamFlags.SOM | StreamFlags.EOM);
			return StreamResult.OK;
		}

		@OnRx
		void rx(ByteBuffer chunk) {
		}

		@OnState("QOS_ACK_REMOTE")
		void acked() {
			this.done = true;
		}

	}

	@SecureStreamHandler(streamtype = "get", id = "idle", count = 3, autoStartup = "${idle.auto:true}")
	static class IdleHandler {

		final List<Long> destroyed = new CopyOnWriteArrayList<>();

		@OnState("DESTROYING")
		void destroying(SecureStream stream) {
			this.destroyed.add(stream.id());
		}

	}

	@SecureStreamHandler("srv")
	static class ServerHandler {

		final List<StreamRole> roles = new CopyOnWriteArrayList<>();

		private final Map<Long, byte[]> responses = new ConcurrentHashMap<>();

		@OnState("SERVER_TXN")
		void request(SecureStream stream, @Metadata("method") String method, @Metadata("path") String path) {
			this.roles.add(stream.role());
			byte[] body = ("hello " + method + " " + path).getBytes(StandardCharsets.UTF_8);
			this.responses.put(stream.id(), body);
			stream.serverAck(0);
			stream.requestTxLen(body.length);
		}

		@OnTx
		StreamResult respond(SecureStream stream, TxSlot slot) {
			byte[] body = this.responses.remove(stream.id());
			if (body == null) {
				return StreamResult.TX_DONT_SEND;
			}
			slot.write(body).flags(StreamFlags.SOM | StreamFlags.EOM);
			return StreamResult.OK;
		}

	}

	@SecureStreamHandler(streamtype = "srv", count = 2)
	static class CountedServerHandler {

		@OnState
		void state() {
		}

	}

	@SecureStreamHandler("nope")
	static class UnknownStreamTypeHandler {

		@OnRx
		void rx(byte[] payload) {
		}

	}

	@SecureStreamHandler("get")
	static class BadStateSignatureHandler {

		@OnState
		void state(String payload) {
		}

	}

	@SecureStreamHandler("get")
	static class BadReturnHandler {

		@OnRx
		String rx(byte[] payload) {
			return "";
		}

	}

	@SecureStreamHandler("get")
	static class AckFreeHandler {

		@OnRx
		void rx(byte[] payload) {
		}

	}

	@SecureStreamHandler("get")
	static class AckInRxHandler {

		@OnRx
		void rx(byte[] payload, @Header(SecureStreamHeaders.ACK) long ack) {
		}

	}

	@SecureStreamHandler(value = "get", count = 3)
	static class ShutdownOrderHandler {

		final List<String> events = new CopyOnWriteArrayList<>();

		// Depending on the context makes the handler bean be destroyed before it.
		ShutdownOrderHandler(SecureStreams streams) {
		}

		@OnState({ "CREATING", "DESTROYING" })
		void state(StreamState state) {
			this.events.add(state.name());
		}

		@PreDestroy
		void preDestroy() {
			this.events.add("preDestroy");
		}

	}

	@SecureStreamHandler("get")
	static class TwoRxHandler {

		@OnRx
		void one(byte[] payload) {
		}

		@OnRx
		void two(byte[] payload) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LazyHandlerConfiguration {

		@Bean
		@Lazy
		AckFreeHandler lazyHandler() {
			return new AckFreeHandler();
		}

	}

	@SecureStreamHandler("get")
	static class StateAndRxHandler {

		@OnState
		@OnRx
		void both(StreamState state) {
		}

	}

	@SecureStreamHandler("get")
	static class RxAndTxHandler {

		@OnRx
		@OnTx
		void both(SecureStream stream) {
		}

	}

	@SecureStreamHandler("get")
	static class BadStateNameHandler {

		@OnState("CONECTED")
		void state() {
		}

	}

	@SecureStreamHandler("get")
	static class UndeclaredMetadataHandler {

		@OnRx
		void rx(byte[] payload, @Metadata("etag") String etag) {
		}

	}

	static class NotAHandler {

		@OnState
		void state() {
		}

	}

}
