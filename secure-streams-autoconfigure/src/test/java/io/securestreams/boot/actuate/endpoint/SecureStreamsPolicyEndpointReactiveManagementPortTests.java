package io.securestreams.boot.actuate.endpoint;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The policy endpoint on a management port of its own, on a reactive server (Reactor Netty). The
 * test class path also holds Tomcat, for the servlet tests; an application has one server, and
 * with both Boot would make a reactive management child context for each.
 */
@SpringBootTest(classes = AbstractPolicyEndpointManagementPortTests.TestApplication.class,
		webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.web-application-type=reactive",
				"spring.autoconfigure.exclude=org.springframework.boot.tomcat.autoconfigure.actuate.web.server."
						+ "TomcatReactiveManagementContextAutoConfiguration" })
class SecureStreamsPolicyEndpointReactiveManagementPortTests extends AbstractPolicyEndpointManagementPortTests {

}
