package io.securestreams.protocol.h1;

import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.proxy.wire.PayloadMessage;
import io.securestreams.proxy.wire.SsWire;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How much one read of a proxy's onward h1 connection may take: once framed for the client it
 * must still fit between the rx flow-control mark and the end of the proxy buffer.
 */
class ProxiedReadLimitTests {

	@ParameterizedTest
	@CsvSource({ "262144, 196608", "32768, 0", "1048576, 524288", "65536, 40960" })
	void oneFramedReadFitsAboveTheFlowControlMark(long buflen, long onAbove) {
		StreamTypePolicy policy = StreamTypePolicy.builder("t")
			.set(StreamTypeKey.PROXY_BUFLEN, buflen)
			.set(StreamTypeKey.PROXY_BUFLEN_RXFLOW_ON_ABOVE, onAbove)
			.build();
		long room = (onAbove > 0) ? buflen - onAbove : buflen / 2;
		int read = H1ChannelHandler.proxiedReadLimit(policy);
		long frames = (read + SsWire.MAX_RX_PAYLOAD - 1) / SsWire.MAX_RX_PAYLOAD;
		long framed = read + frames * (SsWire.FRAME_HEADER + PayloadMessage.FIXED_HEADER);
		assertThat(framed).isLessThanOrEqualTo(room);
		assertThat(read).isGreaterThanOrEqualTo(H1ChannelHandler.PROXIED_MIN_READ);
	}

}
