package io.securestreams.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.channel.unix.DomainSocketAddress;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection monitor document a {@code perf} streamtype receives.
 */
class ConnectionTimingsTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void reportHasLibwebsocketsKeysInItsOrder() {
		ConnectionTimings timings = new ConnectionTimings();
		timings.connectStarted();
		InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 443);
		timings.nameResolved(List.of(loopback));
		timings.socketConnecting(loopback);
		timings.socketConnected();
		timings.tlsEstablished();
		timings.requestSent();
		timings.responseStarted(204);
		String json = new String(timings.takeReport(), StandardCharsets.UTF_8);
		assertThat(json).startsWith("{\"peer\":\"127.0.0.1\",\"dns_us\":").contains(",\"dns_disp\":1,\"sockconn_us\":")
			.contains(",\"dns\":[\"127.0.0.1\"],\"prot_specific\":{\"protocol\":\"http\",\"resp\":204}}");
		assertThat(json.indexOf("\"tls_us\"")).isLessThan(json.indexOf("\"txn_resp_us\""));
	}

	@Test
	void reportIsTakenOnceAndOnlyAfterTheConnectorStarted() {
		ConnectionTimings timings = new ConnectionTimings();
		assertThat(timings.takeReport()).isNull();
		timings.connectStarted();
		assertThat(timings.takeReport()).isNotNull();
		assertThat(timings.takeReport()).isNull();
	}

	@Test
	void onlyTheFirstTransactionIsTimed() throws Exception {
		ConnectionTimings timings = new ConnectionTimings();
		timings.connectStarted();
		timings.requestSent();
		timings.responseStarted(301);
		timings.requestSent();
		timings.responseStarted(200);
		JsonNode report = JSON.readTree(timings.takeReport());
		assertThat(report.get("prot_specific").get("resp").asInt()).isEqualTo(301);
	}

	@Test
	void responseWithoutATimedRequestIsNotReported() {
		ConnectionTimings timings = new ConnectionTimings();
		timings.connectStarted();
		timings.responseStarted(200);
		JsonNode report = JSON.readTree(timings.takeReport());
		assertThat(report.has("prot_specific")).isFalse();
		assertThat(report.get("txn_resp_us").asLong()).isZero();
	}

	@Test
	void ipv6PeerIsWrittenInItsShortForm() throws Exception {
		ConnectionTimings timings = new ConnectionTimings();
		timings.connectStarted();
		timings.socketConnecting(new InetSocketAddress(InetAddress.getByName("::1"), 443));
		JsonNode report = JSON.readTree(timings.takeReport());
		assertThat(report.get("peer").asString()).isEqualTo("::1");
		assertThat(report.get("dns_disp").asInt()).isZero();
		assertThat(report.get("dns").isEmpty()).isTrue();
	}

	@Test
	void unixSocketPeerIsItsPath() {
		ConnectionTimings timings = new ConnectionTimings();
		timings.connectStarted();
		timings.socketConnecting(new DomainSocketAddress("/run/ss \"proxy\".sock"));
		JsonNode report = JSON.readTree(timings.takeReport());
		assertThat(report.get("peer").asString()).isEqualTo("/run/ss \"proxy\".sock");
	}

	@Test
	void failedLookupIsNoResult() {
		ConnectionTimings timings = new ConnectionTimings();
		timings.connectStarted();
		timings.lookupFailed();
		JsonNode report = JSON.readTree(timings.takeReport());
		assertThat(report.get("dns_disp").asInt()).isEqualTo(ConnectionTimings.DNS_NO_RESULT);
		assertThat(report.get("peer").asString()).isEmpty();
	}

}
