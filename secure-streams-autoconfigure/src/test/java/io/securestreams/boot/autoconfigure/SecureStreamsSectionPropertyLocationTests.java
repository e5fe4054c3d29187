package io.securestreams.boot.autoconfigure;

import java.io.IOException;

import io.securestreams.policy.PolicyException;
import io.securestreams.policy.PolicyProblem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bad value in a {@code retry}, {@code auth} or {@code metrics} entry is reported at its own
 * property. Before, the problem was located at the entry, that is at the first property the entry
 * sets, on another line of {@code application.yml}, and its message did not name the value
 * ({@code secure-streams.policy.auth.a: expected an integer 0..3, got 9} at the line of
 * {@code type}).
 */
class SecureStreamsSectionPropertyLocationTests {

	private static final String YAML = "classpath:policies/misplaced.yml:";

	@Test
	void eachBadValueIsLocatedAtItsProperty() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SecureStreamsAutoConfiguration.class))
			.withPropertyValues("secure-streams.event-loop-threads=1")
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(yaml("policies/misplaced.yml")))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).isInstanceOfSatisfying(PolicyException.class,
						(ex) -> assertThat(ex.problems()).extracting(PolicyProblem::format)
							.containsExactlyInAnyOrder(
									YAML + "6:18: secure-streams.policy.retry.r.conceal: "
											+ "expected an integer 0..65535, got -1",
									YAML + "10:15: secure-streams.policy.auth.a.blob: expected an integer 0..3, got 9",
									YAML + "14:22: secure-streams.policy.metrics.m.min-outlier: "
											+ "expected an integer 0..9223372036854775807, got -5"));
			});
	}

	private static PropertySource<?> yaml(String path) {
		try {
			return new YamlPropertySourceLoader().load(path, new ClassPathResource(path)).get(0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
