package io.securestreams.boot.actuate.endpoint;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The policy endpoint on a management port of its own, on a servlet server.
 */
@SpringBootTest(classes = AbstractPolicyEndpointManagementPortTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.main.web-application-type=servlet")
class SecureStreamsPolicyEndpointManagementPortTests extends AbstractPolicyEndpointManagementPortTests {

}
