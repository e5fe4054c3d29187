package io.securestreams.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.securestreams.policy.SocketAttributes;
import io.securestreams.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code attr_priority} becomes the socket's {@code SO_PRIORITY} on the native transport.
 */
class SocketPriorityTests {

	private TransportResources transport;

	@AfterEach
	void close() {
		if (this.transport != null) {
			this.transport.close();
		}
	}

	@Test
	void nativeTransportSetsTheSocketPriority() throws Exception {
		assumeTrue(Epoll.isAvailable(), "SO_PRIORITY can only be set by the native epoll transport (Linux)");
		this.transport = TransportResources.create(1, TransportResources.Kind.EPOLL);
		try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
			assertThat(priorityOf(server, 5)).isEqualTo(5);
			assertThat(priorityOf(server, null)).isZero();
		}
	}

	@Test
	void nioTransportWarnsOnceThatItCannot() throws Exception {
		this.transport = TransportResources.create(1, TransportResources.Kind.NIO);
		try (LogCapture logs = new LogCapture(); ServerSocket server = new ServerSocket(0, 4,
				InetAddress.getByName("127.0.0.1"))) {
			Connector connector = new Connector(this.transport, Duration.ofSeconds(5));
			connect(connector, server, 3).close().sync();
			connect(connector, server, 3).close().sync();
			assertThat(logs.messages().stream().filter((message) -> message.contains("SO_PRIORITY"))).hasSize(1);
		}
	}

	private int priorityOf(ServerSocket server, Integer priority) throws Exception {
		Channel channel = connect(new Connector(this.transport, Duration.ofSeconds(5)), server, priority);
		try {
			return channel.config().getOption(Connector.SO_PRIORITY);
		}
		finally {
			channel.close().sync();
		}
	}

	private Channel connect(Connector connector, ServerSocket server, Integer priority) throws Exception {
		ConnectTarget target = new ConnectTarget(InetSocketAddress.createUnresolved("127.0.0.1", server.getLocalPort()),
				"127.0.0.1", server.getLocalPort(), false, "/", null);
		return connector.connect(this.transport.nextLoop(), target, null,
				new SocketAttributes(priority, false, false, false, false), (pipeline) -> {
				})
			.get(5, TimeUnit.SECONDS);
	}

}
