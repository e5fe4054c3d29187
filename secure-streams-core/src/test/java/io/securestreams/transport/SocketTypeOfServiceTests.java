package io.securestreams.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.securestreams.policy.SocketAttributes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code attr_low_latency}, {@code attr_high_throughput}, {@code attr_high_reliability} and
 * {@code attr_low_cost} hints become the client socket's IP type of service, on both transports
 * and both address families, as docs/policy.md says. Linux keeps the low-cost bit (0x02) off TCP
 * sockets, since it now belongs to the ECN field, so it does not show in what the socket reports.
 */
class SocketTypeOfServiceTests {

	private TransportResources transport;

	@AfterEach
	void close() {
		if (this.transport != null) {
			this.transport.close();
		}
	}

	@ParameterizedTest
	@CsvSource({ "NIO,127.0.0.1", "NIO,::1", "EPOLL,127.0.0.1", "EPOLL,::1" })
	void hintsBecomeTheTypeOfServiceOfTheSocket(TransportResources.Kind kind, String host) throws Exception {
		assumeTrue(kind != TransportResources.Kind.EPOLL || Epoll.isAvailable(), "the native transport is Linux only");
		this.transport = TransportResources.create(1, kind);
		try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getByName(host))) {
			assertThat(typeOfService(server, host, new SocketAttributes(null, true, false, false, false)))
				.isEqualTo(0x10);
			assertThat(typeOfService(server, host, new SocketAttributes(null, false, true, true, true)) & ~0x03)
				.isEqualTo(0x0c);
		}
	}

	private int typeOfService(ServerSocket server, String host, SocketAttributes attributes) throws Exception {
		ConnectTarget target = new ConnectTarget(InetSocketAddress.createUnresolved(host, server.getLocalPort()), host,
				server.getLocalPort(), false, "/", null);
		Channel channel = new Connector(this.transport, Duration.ofSeconds(5))
			.connect(this.transport.nextLoop(), target, null, attributes, (pipeline) -> {
			})
			.get(5, TimeUnit.SECONDS);
		try {
			return channel.config().getOption(ChannelOption.IP_TOS);
		}
		finally {
			channel.close().sync();
		}
	}

}
