package io.securestreams.starter;

import io.securestreams.SecureStreams;
import io.securestreams.boot.SecureStreamType;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with nothing but the starter and a few properties gets a working context.
 */
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

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class EmptyApplication {

	}

}
