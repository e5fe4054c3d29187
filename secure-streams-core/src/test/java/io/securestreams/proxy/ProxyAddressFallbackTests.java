package io.securestreams.proxy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.TestPolicies;
import io.securestreams.testsupport.TestResources;
import io.securestreams.transport.HostNameLookup;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A proxied client whose proxy is named by host name ({@code host:port}) tries each address of
 * the name in turn, as client streams do: here {@code ::1} first, where nothing listens on the
 * proxy's port, then {@code 127.0.0.1}, where the proxy does.
 */
class ProxyAddressFallbackTests {

	private static final Duration WAIT = Duration.ofSeconds(15);

	@RegisterExtension
	final TestResources resources = new TestResources();

	@Test
	void proxiedClientReachesAProxyAtTheSecondAddressOfItsName() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.h1(fragment.streamType("get"), "127.0.0.1", 9, "GET", "/");
		SecureStreams fulfilling = this.resources.start(SecureStreams.builder(fragment.build()).eventLoopThreads(1));
		SecureStreamsProxy proxy = this.resources.closing(SecureStreamsProxy.builder(fulfilling)
			.listen(new ProxyAddress(ProxyAddress.Kind.TCP, "127.0.0.1", 0))
			.start());
		List<String> lookedUp = new CopyOnWriteArrayList<>();
		HostNameLookup lookup = (host) -> {
			lookedUp.add(host);
			return new InetAddress[] { InetAddress.getByAddress(host, InetAddress.getByName("::1").getAddress()),
					InetAddress.getByAddress(host, new byte[] { 127, 0, 0, 1 }) };
		};
		SecureStreams client = this.resources.start(SecureStreams
			.proxiedBuilder("proxy.test:" + proxy.address().port())
			.eventLoopThreads(1)
			.hostNameLookup(lookup));
		RecordingHandler handler = new RecordingHandler();
		client.create("get", handler);
		handler.await(StreamState.CREATING, WAIT);
		Awaitility.await().atMost(WAIT).until(() -> proxy.links().size() == 1);
		assertThat(lookedUp).containsExactly("proxy.test");
	}

}
