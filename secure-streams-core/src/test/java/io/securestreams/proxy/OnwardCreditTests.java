package io.securestreams.proxy;

import io.securestreams.proxy.wire.SsWire;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The credit a proxy's onward stream gives its peer, from the client's STREAMTYPE frame: the
 * libwebsockets default (what a client that set none sends) and nonsense values leave the onward
 * stream on automatic flow control; any other value is the client's manual initial credit.
 */
class OnwardCreditTests {

	@Test
	void theDefaultCreditMeansAutomaticFlowControl() {
		assertThat(ProxyLink.onwardCredit(SsWire.DEFAULT_INITIAL_TX_CREDIT)).isZero();
		assertThat(ProxyLink.onwardCredit(0)).isZero();
		assertThat(ProxyLink.onwardCredit(-1)).isZero();
	}

	@Test
	void anyOtherCreditIsTheClientsManualCredit() {
		assertThat(ProxyLink.onwardCredit(65_535)).isEqualTo(65_535);
		assertThat(ProxyLink.onwardCredit(SsWire.DEFAULT_INITIAL_TX_CREDIT + 1))
			.isEqualTo(SsWire.DEFAULT_INITIAL_TX_CREDIT + 1);
	}

}
