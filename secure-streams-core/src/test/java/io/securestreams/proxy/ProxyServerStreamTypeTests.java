package io.securestreams.proxy;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

import io.securestreams.internal.ContextAccess;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToProxy;
import io.securestreams.testsupport.FrameReader;
import io.securestreams.testsupport.ProxyUnderTest;
import io.securestreams.testsupport.TestPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A proxied client asking for a server streamtype: a server stream does no rx or tx of its own
 * (reference section 8), so the proxy refuses it with the failed CREATE_RESULT, closes the link
 * and starts no listener.
 */
class ProxyServerStreamTypeTests {

	@TempDir
	Path temp;

	@Test
	void aServerStreamtypeIsRefusedWithoutListening() throws Exception {
		PolicyFragment fragment = TestPolicies.base();
		TestPolicies.server(fragment.streamType("srv"), Protocol.H1, false);
		try (ProxyUnderTest harness = new ProxyUnderTest(fragment.build(), this.temp);
				SocketChannel link = harness.connectRaw()) {
			FrameReader.write(link,
					SsWire.toBytes(new ToProxy.StreamType(1, 42, SsWire.DEFAULT_INITIAL_TX_CREDIT, "srv")));
			FrameReader reader = new FrameReader(link);
			FrameReader.Frame result = reader.next();
			assertThat(result.bytes()).containsExactly(0x56, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00);
			assertThat(nextOrClosed(reader)).isNull();
			assertThat(ContextAccess.runtime(harness.context()).streams()).isEmpty();
		}
	}

	private static FrameReader.Frame nextOrClosed(FrameReader reader) {
		try {
			return reader.next();
		}
		catch (IOException ex) {
			return null;
		}
	}

}
