package io.securestreams.boot.annotation;

import java.nio.ByteBuffer;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reflection a native image needs for {@link SecureStreamHandler @SecureStreamHandler} beans,
 * as ahead-of-time processing registers it for every bean: each callback method can be invoked,
 * and a payload the converters map from JSON can be bound, with the types it holds.
 */
class SecureStreamHandlerRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	@Test
	void callbackMethodsCanBeInvoked() {
		new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(this.hints, RawHandler.class);
		for (String method : List.of("state", "rx", "tx")) {
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(RawHandler.class, method))
				.as(method)
				.accepts(this.hints);
		}
	}

	@Test
	void aConvertedPayloadIsBoundWithWhatItHolds() {
		new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(this.hints, ReadingsHandler.class);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(ReadingsHandler.class, "rx"))
			.accepts(this.hints);
		for (Class<?> bound : List.of(Reading.class, Place.class)) {
			assertThat(RuntimeHintsPredicates.reflection()
				.onType(bound)
				.withMemberCategories(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS))
				.as(bound.getSimpleName())
				.accepts(this.hints);
		}
	}

	@Test
	void rawPayloadsNeedNoBinding() {
		new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(this.hints, RawHandler.class);
		assertThat(this.hints.reflection().getTypeHint(ByteBuffer.class)).isNull();
		assertThat(this.hints.reflection().getTypeHint(SecureStream.class)).isNull();
	}

	static class RawHandler {

		@OnState
		void state(SecureStream stream, StreamState state) {
		}

		@OnRx
		void rx(SecureStream stream, ByteBuffer payload, @Flags int flags) {
		}

		@OnTx
		void tx(SecureStream stream, TxSlot slot) {
		}

	}

	static class ReadingsHandler {

		@OnRx
		void rx(@Metadata("topic") String topic, List<Reading> readings) {
		}

	}

	record Reading(double value, Place place) {
	}

	record Place(String name) {
	}

}
