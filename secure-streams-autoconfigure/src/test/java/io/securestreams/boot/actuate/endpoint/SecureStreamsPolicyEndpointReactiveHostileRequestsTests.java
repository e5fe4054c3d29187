package io.securestreams.boot.actuate.endpoint;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The policy endpoint's answers to careless or hostile requests on a reactive server (WebFlux on
 * Reactor Netty), where {@link SecureStreamsPolicyEndpointWebFilter} does the work. The codecs
 * may read as much as the endpoint accepts here, so that the same bounds apply as on a servlet
 * server; {@link SecureStreamsPolicyEndpointReactiveCodecLimitTests} covers WebFlux's default.
 */
@SpringBootTest(classes = AbstractPolicyEndpointHostileRequestsTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.web-application-type=reactive", "spring.http.codecs.max-in-memory-size=32MB" })
class SecureStreamsPolicyEndpointReactiveHostileRequestsTests extends AbstractPolicyEndpointHostileRequestsTests {

}
