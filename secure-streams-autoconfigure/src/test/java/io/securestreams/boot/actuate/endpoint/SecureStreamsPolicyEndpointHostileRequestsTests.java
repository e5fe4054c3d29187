package io.securestreams.boot.actuate.endpoint;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The policy endpoint's answers to careless or hostile requests on a servlet server (Spring MVC
 * on Tomcat), where {@link SecureStreamsPolicyEndpointBodyLimitFilter} and
 * {@link SecureStreamsPolicyEndpointErrorResolver} do the work.
 */
@SpringBootTest(classes = AbstractPolicyEndpointHostileRequestsTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.main.web-application-type=servlet")
class SecureStreamsPolicyEndpointHostileRequestsTests extends AbstractPolicyEndpointHostileRequestsTests {

}
