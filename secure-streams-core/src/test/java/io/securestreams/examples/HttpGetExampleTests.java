package io.securestreams.examples;

import java.net.InetAddress;

import io.securestreams.testsupport.TestPolicies;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HttpGetExampleTests {

	@Test
	void theGuidesExampleFetchesADocument() throws Exception {
		try (MockWebServer server = new MockWebServer()) {
			server.start(InetAddress.getByName("127.0.0.1"), 0);
			server.enqueue(new MockResponse.Builder().body("<html>hello</html>").build());
			String body = HttpGetExample.fetch(TestPolicies.with("sx-hello_world",
					(b) -> TestPolicies.h1(b, "127.0.0.1", server.getPort(), "GET", "index.html")), "sx-hello_world");
			assertThat(body).isEqualTo("<html>hello</html>");
		}
	}

}
