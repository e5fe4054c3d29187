package io.securestreams.policy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An endpoint with white space around it (a copy-paste into a policy or a property) names no
 * host, address or URL: the policy is refused at the endpoint instead of every stream failing to
 * connect to an unknown host. A Unix socket path is taken as written.
 */
class PolicyEndpointSpaceTests {

	@ParameterizedTest
	@ValueSource(strings = { " example.com", "example.com ", "\texample.com", "example.com\n", "wss://example.com/ ",
			"\u00a0127.0.0.1", "127.0.0.1\u2003" })
	void anEndpointWithWhiteSpaceAroundItIsRefusedAtTheEndpoint(String endpoint) {
		List<PolicyProblem> problems = PolicyValidator.validate(withEndpoint(endpoint));
		assertThat(problems).singleElement().satisfies((problem) -> {
			assertThat(problem.path()).isEqualTo("s.st.endpoint");
			assertThat(problem.message()).isEqualTo("'" + endpoint
					+ "' has white space around it, which no host name, address or URL has");
		});
	}

	@ParameterizedTest
	@ValueSource(strings = { "example.com", "https://example.com/a b", "${host}", "+/tmp/socket with space ",
			"+@ name", "" })
	void otherEndpointsAreTaken(String endpoint) {
		assertThat(PolicyValidator.validate(withEndpoint(endpoint))).isEmpty();
	}

	private static Policy withEndpoint(String endpoint) {
		PolicyFragment fragment = new PolicyFragment();
		fragment.streamType("st").set(StreamTypeKey.ENDPOINT, endpoint);
		return fragment.build();
	}

}
