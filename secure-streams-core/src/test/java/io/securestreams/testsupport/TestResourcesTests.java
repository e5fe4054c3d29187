package io.securestreams.testsupport;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import io.securestreams.SecureStream;
import io.securestreams.StreamState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Proves that {@link TestResources}, which many tests leave their cleanup and transition check
 * to, closes everything in order, even past a failure, and fails on an illegal transition.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
class TestResourcesTests {

	@Test
	void closesTheLastRegisteredFirst() {
		TestResources resources = new TestResources();
		List<String> closed = new ArrayList<>();
		resources.closing(() -> closed.add("server"));
		resources.closing(() -> closed.add("context"));
		assertThatNoException().isThrownBy(() -> resources.afterEach(null));
		assertThat(closed).containsExactly("context", "server");
	}

	@Test
	void aFailureToCloseStillClosesTheRestAndIsThrown() {
		TestResources resources = new TestResources();
		List<String> closed = new ArrayList<>();
		resources.closing(() -> closed.add("server"));
		resources.closing(() -> {
			throw new IOException("first");
		});
		resources.closing(() -> {
			throw new IOException("last");
		});
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> resources.afterEach(null))
			.withMessage("last")
			.satisfies((ex) -> assertThat(ex.getSuppressed()).singleElement()
				.extracting(Throwable::getMessage)
				.isEqualTo("first"));
		assertThat(closed).containsExactly("server");
	}

	@Test
	void anIllegalTransitionFailsTheTest() {
		TestResources resources = new TestResources();
		// Only the guard's message reads the stream, through streamType() and id().
		SecureStream stream = (SecureStream) Proxy.newProxyInstance(SecureStream.class.getClassLoader(),
				new Class<?>[] { SecureStream.class },
				(proxy, method, args) -> method.getName().equals("id") ? 7L : "t");
		resources.guard().illegalTransition(stream, StreamState.DESTROYING, StreamState.CONNECTED);
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> resources.afterEach(null))
			.withMessageContaining("illegal state transitions")
			.withMessageContaining("t#7: DESTROYING -> CONNECTED");
	}

}
