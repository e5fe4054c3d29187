package io.securestreams.testsupport;

import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.securestreams.StateTransitions;
import io.securestreams.StreamState;
import io.securestreams.proxy.ProxyAddress;
import io.securestreams.transport.TransportResources;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A relay between proxied clients and a proxy that records every frame on the wire, parsed
 * independently of the codec under test, so tests can check what really travelled: each link's
 * CONNSTATE sequence against {@link StateTransitions#PROXIED_CLIENT}, and frame sizes.
 */
public final class SspcRelay implements AutoCloseable {

	/** The frames of one link, both ways. */
	public static final class Link {

		public final List<FrameReader.Frame> toProxy = new CopyOnWriteArrayList<>();

		public final List<FrameReader.Frame> toClient = new CopyOnWriteArrayList<>();

		private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();

		private final ByteArrayOutputStream fromProxy = new ByteArrayOutputStream();

		/** Returns the CONNSTATE states the proxy sent, in order. */
		public List<StreamState> states() {
			return this.toClient.stream()
				.filter((f) -> f.type() == 0x57)
				.map((f) -> StreamState.of(f.state()))
				.toList();
		}

		private synchronized void record(boolean clientSide, ByteBuf data) {
			ByteArrayOutputStream buffer = clientSide ? this.fromClient : this.fromProxy;
			byte[] bytes = new byte[data.readableBytes()];
			data.getBytes(data.readerIndex(), bytes);
			buffer.writeBytes(bytes);
			byte[] all = buffer.toByteArray();
			int at = 0;
			while (at + 3 <= all.length) {
				int length = ((all[at + 1] & 0xff) << 8) | (all[at + 2] & 0xff);
				if (at + 3 + length > all.length) {
					break;
				}
				FrameReader.Frame frame = new FrameReader.Frame(all[at] & 0xff,
						FrameReader.range(all, at + 3, at + 3 + length));
				(clientSide ? this.toProxy : this.toClient).add(frame);
				at += 3 + length;
			}
			buffer.reset();
			buffer.write(all, at, all.length - at);
		}

	}

	private final TransportResources transport = TransportResources.create(1, TransportResources.Kind.AUTO);

	private final List<Link> links = new CopyOnWriteArrayList<>();

	private final Channel server;

	private final ProxyAddress address;

	public SspcRelay(ProxyAddress listen, ProxyAddress target) {
		this.address = listen;
		SocketAddress targetAddress = target.toSocketAddress(this.transport);
		SocketAddress bindTo = listen.toSocketAddress(this.transport);
		this.server = new ServerBootstrap().group(this.transport.group())
			.channel(this.transport.serverChannel(bindTo))
			.childOption(ChannelOption.AUTO_READ, false)
			.childHandler(new ChannelInitializer<Channel>() {
				@Override
				protected void initChannel(Channel client) {
					Link link = new Link();
					SspcRelay.this.links.add(link);
					new Bootstrap().group(client.eventLoop())
						.channel(SspcRelay.this.transport.clientChannel(targetAddress))
						.handler(new Pipe(client, link, false))
						.connect(targetAddress)
						.addListener((ChannelFutureListener) (f) -> {
							if (f.isSuccess()) {
								client.pipeline().addLast(new Pipe(f.channel(), link, true));
								client.config().setAutoRead(true);
							}
							else {
								client.close();
							}
						});
				}
			})
			.bind(bindTo)
			.syncUninterruptibly()
			.channel();
	}

	public ProxyAddress address() {
		return this.address;
	}

	public List<Link> links() {
		return new ArrayList<>(this.links);
	}

	/**
	 * Fails unless every link's CONNSTATE sequence is legal for a proxied client, every
	 * RX_PAYLOAD carries at most 1380 bytes and every TX_PAYLOAD at most 4061.
	 */
	public void assertLegalFrames() {
		int index = 0;
		for (Link link : this.links) {
			StreamState previous = null;
			for (StreamState state : link.states()) {
				if (StateTransitions.PROXIED_CLIENT.bypasses(state)) {
					continue;
				}
				assertThat(StateTransitions.PROXIED_CLIENT.isAllowed(previous, state))
					.as("link %d: %s -> %s in %s", index, previous, state, link.states())
					.isTrue();
				previous = state;
			}
			link.toClient.stream().filter((f) -> f.type() == 0x55)
				.forEach((f) -> assertThat(f.body().length - 16).as("RX_PAYLOAD bytes").isLessThanOrEqualTo(1380));
			link.toProxy.stream().filter((f) -> f.type() == 0xad)
				.forEach((f) -> assertThat(f.body().length - 16).as("TX_PAYLOAD bytes").isLessThanOrEqualTo(4061));
			index++;
		}
	}

	@Override
	public void close() {
		this.server.close().syncUninterruptibly();
		this.transport.close();
	}

	/** Copies one side's bytes to the other, recording them. */
	private static final class Pipe extends ChannelInboundHandlerAdapter {

		private final Channel peer;

		private final Link link;

		private final boolean clientSide;

		Pipe(Channel peer, Link link, boolean clientSide) {
			this.peer = peer;
			this.link = link;
			this.clientSide = clientSide;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			ByteBuf data = (ByteBuf) msg;
			this.link.record(this.clientSide, data);
			this.peer.writeAndFlush(data);
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			this.peer.close();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			ctx.close();
		}

	}

}
