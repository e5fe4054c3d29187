package io.securestreams.boot.actuate.endpoint;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a native image must be able to write as JSON for the policy endpoint's web operations,
 * whose declared result ({@code WebEndpointResponse<Object>}) does not say.
 */
class SecureStreamsPolicyEndpointRuntimeHintsTests {

	@Test
	void everyBodyTheWebOperationsAnswerWithCanBeWritten() {
		RuntimeHints hints = new RuntimeHints();
		new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(hints,
				SecureStreamsPolicyEndpointWebExtension.class);
		List<Class<?>> bodies = List.of(SecureStreamsPolicyEndpoint.PolicyDescriptor.class,
				SecureStreamsPolicyEndpoint.FetchDescriptor.class, SecureStreamsPolicyEndpoint.ErrorsDescriptor.class);
		for (Class<?> body : bodies) {
			assertThat(RuntimeHintsPredicates.reflection()
				.onType(body)
				.withMemberCategories(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS))
				.as(body.getSimpleName())
				.accepts(hints);
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(body, firstComponent(body)))
				.as(body.getSimpleName() + " accessors")
				.accepts(hints);
		}
	}

	private static String firstComponent(Class<?> record) {
		return record.getRecordComponents()[0].getName();
	}

}
