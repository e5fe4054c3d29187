package io.securestreams.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The sample application. Run it with {@code mvn -q -pl sample-app -am spring-boot:run} and
 * watch every stream's states in the log; then try
 * {@code curl -s localhost:8081/actuator/securestreams} (the actuator port of application.yml).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@SpringBootApplication
@EnableScheduling
public class SampleApplication {

	/**
	 * Starts the application.
	 * @param args the command line
	 */
	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
