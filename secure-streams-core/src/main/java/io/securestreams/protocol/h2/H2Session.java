package io.securestreams.protocol.h2;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLHandshakeException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.securestreams.protocol.StreamLink;
import io.securestreams.protocol.validity.ValidityTimer;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.Connector;
import io.securestreams.transport.VisibleAddresses;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One h2 network connection and the exchanges that use it. Exchanges join while it connects or
 * once it is ready; each gets its own h2 stream. When the last exchange leaves, the connection is
 * kept for {@link #IDLE_LINGER_MILLIS} so a stream's next transaction finds it, then closed. A
 * GOAWAY from the server retires it: exchanges it still serves finish, new ones get a new
 * connection, and those it left out (above its last stream id) move to one. The retry policy
 * of the stream that opened it sets its validity pings (h2 PING) and hang-up, as
 * {@code svalidping} and {@code svalidhup} do in libwebsockets.
 * <p>
 * Every method runs on the key's event loop.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class H2Session {

	/** How long an idle connection is kept for the next transaction. */
	static final long IDLE_LINGER_MILLIS = 5_000;

	/** How long a new connection waits for the server's SETTINGS before it is given up. */
	static final long SETTINGS_WAIT_MILLIS = 5_000;

	/** The most bytes of a GOAWAY's debug data a log line shows. */
	private static final int DEBUG_DATA_SHOWN = 200;

	private static final Logger logger = LoggerFactory.getLogger(H2Session.class);

	private final H2SessionKey key;

	private final H2Sessions sessions;

	private final String description;

	private final Set<H2Exchange> members = new LinkedHashSet<>();

	private final ValidityTimer validity;

	private @Nullable Future<Channel> connecting;

	private @Nullable Channel channel;

	private @Nullable ScheduledFuture<?> idleClose;

	private @Nullable ScheduledFuture<?> settingsWait;

	private boolean settingsReceived;

	private boolean ready;

	private boolean retired;

	private H2Session(H2SessionKey key, H2Sessions sessions, ConnectTarget target, StreamLink opener) {
		this.key = key;
		this.sessions = sessions;
		this.description = (target.tls() ? "https://" : "http://") + target.authority();
		this.validity = ValidityTimer.fromPolicy(key.loop(), opener.retryPolicy(), this::ping, this::hangUp);
	}

	/**
	 * Creates a session; {@link #start} connects it once its first exchange has joined.
	 * @param key the connection's identity
	 * @param sessions the pool, told when the connection can no longer take exchanges
	 * @param target where to connect
	 * @param opener the link of the exchange that needs the connection
	 * @return the new session
	 */
	static H2Session create(H2SessionKey key, H2Sessions sessions, ConnectTarget target, StreamLink opener) {
		return new H2Session(key, sessions, target, opener);
	}

	/**
	 * Starts connecting. A failure, even one known at once, goes to the exchanges that joined.
	 * @param target where to connect
	 * @param tls the TLS context, for TLS targets
	 * @param connector opens the channel
	 * @param opener the link of the exchange that needs the connection
	 */
	void start(ConnectTarget target, @Nullable SslContext tls, Connector connector, StreamLink opener) {
		Future<Channel> ready = connector.connect(this.key.loop(), target, tls, opener.policy().attributes(),
				opener.timings(),
				(pipeline) -> H2SessionHandler.addTo(pipeline, this, opener.limits().maxHttpHeaderSize()));
		this.connecting = ready;
		ready.addListener((Future<Channel> f) -> connected(f));
	}

	H2SessionKey key() {
		return this.key;
	}

	/** The connection as logs name it: scheme and authority. */
	String description() {
		return this.description;
	}

	/** Whether new exchanges may join: not retired by a GOAWAY, a failure or closing. */
	boolean isUsable() {
		return !this.retired;
	}

	/**
	 * Adds an exchange; it is told {@link H2Exchange#sessionReady} once the connection is ready
	 * (later on the loop, never from inside this call).
	 */
	void join(H2Exchange exchange) {
		this.members.add(exchange);
		exchange.joined(this);
		cancelIdleClose();
		if (this.ready) {
			this.key.loop().execute(() -> {
				if (this.ready && this.channel != null && this.members.contains(exchange)) {
					exchange.sessionReady(this);
				}
			});
		}
	}

	/** Removes an exchange; the last one to leave starts the idle linger. */
	void leave(H2Exchange exchange) {
		if (!this.members.remove(exchange) || !this.members.isEmpty()) {
			return;
		}
		// A connection owned by one exchange (perf) cannot serve another, so it does not linger.
		if (this.channel == null || this.retired || this.key.owner() != null) {
			close();
		}
		else {
			this.idleClose = this.key.loop().schedule(this::close, IDLE_LINGER_MILLIS, TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Opens a new h2 stream on the connection.
	 * @param handler the stream's handler
	 * @return the future of the stream channel
	 */
	Future<Http2StreamChannel> openStream(ChannelHandler handler) {
		return new Http2StreamChannelBootstrap(this.channel).handler(handler).open();
	}

	@Nullable SocketAddress peerAddress() {
		Channel ch = this.channel;
		return (ch != null) ? VisibleAddresses.of(ch.remoteAddress()) : null;
	}

	/** Something arrived from the server, or the application vouched for the connection. */
	void confirmed() {
		this.validity.confirmed();
	}

	/**
	 * The server sent GOAWAY: no new streams; the ones it still serves carry on, and the ones it
	 * left out learn it on their own h2 streams ({@link H2StreamHandler}) and move.
	 */
	void goAway(int lastStreamId, long errorCode, ByteBuf debugData) {
		if (errorCode == Http2Error.NO_ERROR.code()) {
			logger.info("h2 connection to {} received GOAWAY (last stream {}); new transactions use a new connection",
					this.description, lastStreamId);
		}
		else {
			// The server closes because of an error, perhaps one it blames on this client: its code
			// and debug data are the only account of it.
			Http2Error error = Http2Error.valueOf(errorCode);
			logger.warn("h2 connection to {} received GOAWAY {} (last stream {}, debug data '{}'); new transactions "
					+ "use a new connection", this.description, (error != null) ? error : errorCode, lastStreamId,
					printable(debugData));
		}
		retire();
		if (this.members.isEmpty()) {
			close();
		}
	}

	// The server's debug data as a log may show it: at most DEBUG_DATA_SHOWN bytes as UTF-8, control
	// characters (line breaks that would forge log lines) as '?'.
	private static String printable(ByteBuf debugData) {
		int shown = Math.min(debugData.readableBytes(), DEBUG_DATA_SHOWN);
		String text = debugData.toString(debugData.readerIndex(), shown, StandardCharsets.UTF_8);
		StringBuilder printable = new StringBuilder(text.length() + 3);
		text.codePoints().forEach((c) -> printable.appendCodePoint(Character.isISOControl(c) ? '?' : c));
		if (shown < debugData.readableBytes()) {
			printable.append("...");
		}
		return printable.toString();
	}

	/** The network connection closed. */
	void closed() {
		if (this.channel == null) {
			// Not ready yet: the connect future reports the failure to the exchanges.
			return;
		}
		retire();
		this.validity.stop();
		this.channel = null;
		cancelIdleClose();
		ScheduledFuture<?> wait = this.settingsWait;
		if (wait != null) {
			wait.cancel(false);
		}
		for (H2Exchange member : snapshot()) {
			member.sessionClosed(this);
		}
		this.members.clear();
	}

	private void connected(Future<Channel> f) {
		if (!f.isSuccess()) {
			Throwable cause = (f.cause() != null) ? f.cause() : new IllegalStateException("connect cancelled");
			fail(refusedH2(cause) ? notH2("refused every protocol offered (TLS alert no_application_protocol)", cause)
					: cause);
			return;
		}
		Channel ch = f.getNow();
		SslHandler ssl = ch.pipeline().get(SslHandler.class);
		String selected = (ssl != null) ? ssl.applicationProtocol() : ApplicationProtocolNames.HTTP_2;
		if (!ApplicationProtocolNames.HTTP_2.equals(selected)) {
			ch.close();
			fail(notH2("chose " + ((selected != null) ? "'" + selected + "'" : "no protocol"), null));
			return;
		}
		if (this.members.isEmpty() || this.retired) {
			ch.close();
			fail(new IllegalStateException(this.description + " was retired before it was ready"));
			return;
		}
		this.channel = ch;
		this.validity.start();
		if (this.settingsReceived) {
			announceReady();
		}
		else {
			this.settingsWait = ch.eventLoop().schedule(this::noSettings, SETTINGS_WAIT_MILLIS, TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * The server's first SETTINGS arrived: its limits (such as its maximum of concurrent streams)
	 * are known, so streams may open. Opening them earlier would let a burst exceed a limit the
	 * client has not yet heard of, and the server would refuse those streams.
	 */
	void settingsReceived() {
		if (this.settingsReceived) {
			return;
		}
		this.settingsReceived = true;
		ScheduledFuture<?> wait = this.settingsWait;
		if (wait != null) {
			wait.cancel(false);
		}
		if (this.channel != null) {
			announceReady();
		}
	}

	private void noSettings() {
		if (!this.settingsReceived && this.channel != null) {
			logger.info("h2 connection to {} sent no SETTINGS within {} ms; closing it", this.description,
					SETTINGS_WAIT_MILLIS);
			Channel ch = this.channel;
			this.channel = null;
			// closed() returns early without a channel, so the timer it would stop is stopped here.
			this.validity.stop();
			ch.close();
			fail(new IllegalStateException(this.description + " sent no h2 SETTINGS within " + SETTINGS_WAIT_MILLIS
					+ " ms"));
		}
	}

	private void announceReady() {
		this.ready = true;
		for (H2Exchange member : snapshot()) {
			member.sessionReady(this);
		}
	}

	private static boolean refusedH2(Throwable cause) {
		return cause instanceof SSLHandshakeException && cause.getMessage() != null
				&& cause.getMessage().contains("no_application_protocol");
	}

	private IllegalStateException notH2(String what, @Nullable Throwable cause) {
		return new IllegalStateException(this.description + " did not agree to h2 by ALPN (it " + what
				+ "); a server that only speaks http/1.1 needs \"protocol\": \"h1\"", cause);
	}

	private void fail(Throwable cause) {
		retire();
		for (H2Exchange member : snapshot()) {
			member.sessionFailed(this, cause);
		}
		this.members.clear();
	}

	private void ping() {
		Channel ch = this.channel;
		if (ch != null) {
			ch.writeAndFlush(new DefaultHttp2PingFrame(System.nanoTime()));
		}
	}

	private void hangUp() {
		logger.info("h2 connection to {} hung up: no sign of life within the retry policy's svalidhup",
				this.description);
		close();
	}

	private void close() {
		retire();
		cancelIdleClose();
		this.validity.stop();
		Channel ch = this.channel;
		if (ch != null) {
			ch.close();
		}
		else if (this.connecting != null) {
			this.connecting.cancel(false);
		}
	}

	private void retire() {
		if (!this.retired) {
			this.retired = true;
			this.sessions.remove(this);
		}
	}

	private void cancelIdleClose() {
		ScheduledFuture<?> pending = this.idleClose;
		if (pending != null) {
			pending.cancel(false);
			this.idleClose = null;
		}
	}

	private List<H2Exchange> snapshot() {
		return new ArrayList<>(this.members);
	}

}
