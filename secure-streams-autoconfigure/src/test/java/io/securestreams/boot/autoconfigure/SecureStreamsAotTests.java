package io.securestreams.boot.autoconfigure;

import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamInfo;
import io.securestreams.StreamState;
import io.securestreams.boot.SecureStreamType;
import io.securestreams.boot.annotation.OnState;
import io.securestreams.boot.annotation.SecureStreamHandler;
import io.securestreams.policy.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auto-configuration processed ahead of time (as {@code spring-boot:process-aot} does for an
 * application, and a native image needs) and then run from the generated code, with the
 * environment of the run rather than the build: the policy bean is the policy of the run, the
 * streamtype beans written at build time are kept, a streamtype added since gets its bean too,
 * and {@code @SecureStreamHandler} beans get their streams.
 */
@CompileWithForkedClassLoader
@ExtendWith(OutputCaptureExtension.class)
class SecureStreamsAotTests {

	private static final String[] BUILD_TIME = { "secure-streams.event-loop-threads=1",
			"secure-streams.policy.streamtypes.telemetry.endpoint=127.0.0.1",
			"secure-streams.policy.streamtypes.telemetry.port=1000",
			"secure-streams.policy.streamtypes.telemetry.protocol=raw",
			"secure-streams.policy.streamtypes.status.endpoint=127.0.0.1",
			"secure-streams.policy.streamtypes.status.port=1001",
			"secure-streams.policy.streamtypes.status.protocol=raw" };

	@Test
	void theGeneratedContextRunsOnThePolicyOfItsOwnEnvironment(CapturedOutput output) {
		TestPropertyValues run = TestPropertyValues.of(BUILD_TIME)
			.and("secure-streams.policy.streamtypes.telemetry.port=2000",
					"secure-streams.policy.streamtypes.added.endpoint=127.0.0.1",
					"secure-streams.policy.streamtypes.added.port=1002",
					"secure-streams.policy.streamtypes.added.protocol=raw");
		processAheadOfTimeAndRun(TestPropertyValues.of(BUILD_TIME), run, (context) -> {
			assertThat(context.getBean(Policy.class).streamType("telemetry").port()).isEqualTo(2000);
			assertThat(context.getBeansOfType(SecureStreamType.class)).containsOnlyKeys("telemetry", "status", "added");
			assertThat(context.getBean("added", SecureStreamType.class).policy()).isNotNull();
			assertThat(context.getBean(SecureStreams.class).streams()).extracting(StreamInfo::streamType)
				.containsExactly("status");
			assertThat(context.getBean(StatusHandler.class).states).contains(StreamState.CREATING);
			// The beans written at build time are recognised, not taken for other beans of that name.
			assertThat(output).doesNotContain("Not registering a SecureStreamType bean");
		});
	}

	@Test
	void aPolicyResourceOnTheClassPathIsIncludedAndReadAtRunTime() {
		TestPropertyValues properties = TestPropertyValues.of("secure-streams.event-loop-threads=1",
				"secure-streams.policy.location=classpath:policies/base.json",
				"secure-streams.policy.streamtypes.status.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.status.port=1001",
				"secure-streams.policy.streamtypes.status.protocol=raw");
		TestGenerationContext generation = processAheadOfTimeAndRun(properties, properties, (context) -> {
			assertThat(context.getBean(Policy.class).release()).isEqualTo("json-1");
			assertThat(context.getBeansOfType(SecureStreamType.class)).containsOnlyKeys("mintest", "fetch_policy",
					"status");
		});
		assertThat(RuntimeHintsPredicates.resource().forResource("policies/base.json"))
			.accepts(generation.getRuntimeHints());
	}

	@Test
	void certificateResourcesOnTheClassPathAreIncludedAndReadAtRunTime() {
		// Read again at run time like the policy JSON: a native image without them failed to start
		// with "cannot read: class path resource [...] cannot be opened because it does not exist".
		TestPropertyValues properties = TestPropertyValues.of("secure-streams.event-loop-threads=1",
				"secure-streams.policy.certs.test-ca.location=classpath:policies/ca.pem",
				"secure-streams.policy.trust-stores.test-trust=test-ca",
				"secure-streams.policy.streamtypes.status.endpoint=127.0.0.1",
				"secure-streams.policy.streamtypes.status.port=1001",
				"secure-streams.policy.streamtypes.status.protocol=raw");
		TestGenerationContext generation = processAheadOfTimeAndRun(properties, properties,
				(context) -> assertThat(context.getBean(Policy.class).certs()).containsOnlyKeys("test-ca"));
		assertThat(RuntimeHintsPredicates.resource().forResource("policies/ca.pem"))
			.accepts(generation.getRuntimeHints());
	}

	/**
	 * Processes {@link ApplicationConfiguration} ahead of time with the build's properties,
	 * compiles the generated code, runs it with the run's properties and checks the running
	 * context.
	 */
	private static TestGenerationContext processAheadOfTimeAndRun(TestPropertyValues build, TestPropertyValues run,
			Consumer<GenericApplicationContext> checks) {
		AnnotationConfigApplicationContext buildTime = new AnnotationConfigApplicationContext();
		build.applyTo(buildTime);
		buildTime.register(ApplicationConfiguration.class);
		TestGenerationContext generation = new TestGenerationContext(ApplicationConfiguration.class);
		ClassName initializer = new ApplicationContextAotGenerator().processAheadOfTime(buildTime, generation);
		generation.writeGeneratedContent();
		TestCompiler.forSystem().with(generation).compile((compiled) -> {
			GenericApplicationContext context = new GenericApplicationContext();
			run.applyTo(context);
			@SuppressWarnings("unchecked")
			ApplicationContextInitializer<GenericApplicationContext> generated = compiled
				.getInstance(ApplicationContextInitializer.class, initializer.toString());
			generated.initialize(context);
			context.refresh();
			try {
				checks.accept(context);
			}
			finally {
				context.close();
			}
		});
		return generation;
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(SecureStreamsAutoConfiguration.class)
	static class ApplicationConfiguration {

		@Bean
		StatusHandler statusHandler() {
			return new StatusHandler();
		}

	}

	@SecureStreamHandler("status")
	static class StatusHandler {

		final List<StreamState> states = new CopyOnWriteArrayList<>();

		@OnState
		void state(SecureStream stream, StreamState state) {
			this.states.add(state);
		}

	}

}
