package io.securestreams.boot.annotation;

import java.util.stream.Stream;

import io.securestreams.TxSlot;
import io.securestreams.boot.autoconfigure.SecureStreamsAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code Message} parameter carries the callback's bytes: {@code Message<String>} or a
 * {@code Message} of a mapped type passed the start-up checks, and then spring-messaging refused
 * the empty payload of every state and tx callback ("Cannot convert ... when payload is empty"),
 * so each callback disconnected the stream and an http transaction never completed.
 */
class SecureStreamHandlerMessageParameterTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
		.withPropertyValues("secure-streams.event-loop-threads=1", "secure-streams.shutdown-timeout=2s",
				"secure-streams.policy.streamtypes.get.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.get.port=9",
				"secure-streams.policy.streamtypes.get.http-url=/");

	static Stream<Arguments> messagesOfAnotherPayload() {
		return Stream.of(Arguments.of(StateStringMessageHandler.class, "@OnState", "Message<String>"),
				Arguments.of(RxMappedMessageHandler.class, "@OnRx", "Message<Reading>"),
				Arguments.of(TxStringMessageHandler.class, "@OnTx", "Message<String>"));
	}

	@ParameterizedTest
	@MethodSource("messagesOfAnotherPayload")
	void aMessageOfAnotherPayloadTypeFailsStartUpNamingTheMethod(Class<?> handler, String kind, String message) {
		this.runner.withBean("bad", handler).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("Invalid " + kind + " method '")
				.hasMessageContaining("on bean 'bad'")
				.hasMessageContaining(message)
				.hasMessageContaining("Message<?> or Message<byte[]>");
		});
	}

	@Test
	void messagesOfTheCallbacksBytesAreAccepted() {
		this.runner.withBean("good", BytesMessageHandler.class).run((context) -> assertThat(context).hasNotFailed());
	}

	record Reading(String name) {
	}

	@SecureStreamHandler("get")
	static class StateStringMessageHandler {

		@OnState
		void state(Message<String> message) {
		}

	}

	@SecureStreamHandler("get")
	static class RxMappedMessageHandler {

		@OnRx
		void rx(Message<Reading> message) {
		}

	}

	@SecureStreamHandler("get")
	static class TxStringMessageHandler {

		@OnTx
		void tx(TxSlot slot, Message<String> message) {
		}

	}

	@SecureStreamHandler("get")
	static class BytesMessageHandler {

		@OnState
		void state(Message<?> message) {
		}

		@OnRx
		void rx(String chunk, Message<byte[]> message) {
		}

		@SuppressWarnings("rawtypes")
		@OnTx
		void tx(TxSlot slot, Message message) {
		}

	}

}
