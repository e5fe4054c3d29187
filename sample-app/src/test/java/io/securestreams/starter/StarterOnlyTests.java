package io.securestreams.starter;

import io.securestreams.SecureStreams;
import io.securestreams.boot.SecureStreamType;
import io.securestreams.policy.PolicyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An application with nothing but the starter and a few properties gets a working context, and
 * an invalid policy stops it with the failure analysis.
 */
@ExtendWith(OutputCaptureExtension.class)
class StarterOnlyTests {

	@Test
	void theStarterAloneGivesAWorkingContext() {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(EmptyApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.config.name=none", "secure-streams.event-loop-threads=1",
					"secure-streams.policy.streamtypes.ping.endpoint=127.0.0.1",
					"secure-streams.policy.streamtypes.ping.port=9",
					"secure-streams.policy.streamtypes.ping.http-url=/")
			.run()) {
			SecureStreams streams = context.getBean(SecureStreams.class);
			assertThat(streams.policy().streamTypes()).containsOnlyKeys("ping");
			assertThat(context.getBean("ping", SecureStreamType.class).policy().port()).isEqualTo(9);
		}
	}

	@Test
	void anInvalidPolicyIsReportedByTheFailureAnalyzer(CapturedOutput output) {
		SpringApplicationBuilder application = new SpringApplicationBuilder(EmptyApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.config.name=none", "secure-streams.policy.streamtypes.ping.endpoint=127.0.0.1",
					"secure-streams.policy.streamtypes.ping.port=70000",
					"secure-streams.policy.streamtypes.ping.retry=missing");
		assertThatExceptionOfType(PolicyException.class).isThrownBy(application::run);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("The Secure Streams policy is invalid (2 problems):")
			.contains("secure-streams.policy.streamtypes.ping.port: expected an integer 0..65535, got 70000")
			.contains("secure-streams.policy.streamtypes.ping.retry: no retry scheme named 'missing' in retry")
			.contains("Fix each problem at the place it names");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class EmptyApplication {

	}

}
