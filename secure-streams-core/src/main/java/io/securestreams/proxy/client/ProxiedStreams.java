package io.securestreams.proxy.client;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamHandler;
import io.securestreams.internal.StreamsRuntime;
import io.securestreams.proxy.ProxyAddress;
import io.securestreams.proxy.wire.SsWire;
import org.jspecify.annotations.Nullable;

/**
 * Creates the streams of a context in proxied mode: each is a {@link ProxiedStream} with its own
 * link to the proxy.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ProxiedStreams {

	/** How long the client waits between attempts to reach the proxy (1 s, as in C). */
	static final Duration LINK_RETRY = Duration.ofSeconds(1);

	/** How long the client waits for CREATE_RESULT after STREAMTYPE (3 s, as in C). */
	static final Duration CREATE_RESULT_WAIT = Duration.ofSeconds(3);

	private final StreamsRuntime runtime;

	private final ProxyAddress address;

	private final @Nullable InetSocketAddress socks5;

	private final Duration connectTimeout;

	/**
	 * Creates the factory.
	 * @param runtime the context internals
	 * @param address where the proxy listens
	 * @param socks5 the SOCKS5 proxy the links go through (to a TCP address only), or {@code null}
	 * @param connectTimeout the most a connection to the proxy may take
	 */
	public ProxiedStreams(StreamsRuntime runtime, ProxyAddress address, @Nullable InetSocketAddress socks5,
			Duration connectTimeout) {
		if (socks5 != null && address.kind() != ProxyAddress.Kind.TCP) {
			throw new IllegalArgumentException("a SOCKS5 proxy reaches TCP addresses only, not " + address);
		}
		this.runtime = runtime;
		this.address = address;
		this.socks5 = socks5;
		this.connectTimeout = connectTimeout;
		// Fail early, for example for an abstract socket without the native transport.
		address.toSocketAddress(runtime.transport());
	}

	/**
	 * Creates a proxied stream and starts its link. Unlike a direct stream, CREATING comes later,
	 * on the stream's event loop, once the proxy confirmed the creation.
	 * @param streamType the streamtype, which the proxy's policy must define
	 * @param handler the application's handler
	 * @return the stream
	 */
	public SecureStream create(String streamType, StreamHandler handler) {
		return create(streamType, handler, SsWire.DEFAULT_INITIAL_TX_CREDIT);
	}

	/**
	 * Creates a proxied stream with the tx credit its STREAMTYPE frame grants; for the
	 * {@code _lws_smd} streamtype that field carries the class mask instead.
	 * @param streamType the streamtype
	 * @param handler the application's handler
	 * @param initialTxCredit the STREAMTYPE frame's credit field
	 * @return the stream
	 */
	public SecureStream create(String streamType, StreamHandler handler, int initialTxCredit) {
		int length = streamType.getBytes(StandardCharsets.UTF_8).length;
		if (length == 0 || length > SsWire.MAX_STREAMTYPE_NAME) {
			throw new SecureStreamsException("streamtype name '" + streamType + "' must have 1 to "
					+ SsWire.MAX_STREAMTYPE_NAME + " bytes to travel to a proxy");
		}
		ProxiedStream stream = new ProxiedStream(this, streamType, handler, this.runtime.transport().nextLoop(),
				initialTxCredit);
		stream.start();
		return stream;
	}

	StreamsRuntime runtime() {
		return this.runtime;
	}

	ProxyAddress address() {
		return this.address;
	}

	@Nullable InetSocketAddress socks5() {
		return this.socks5;
	}

	Duration connectTimeout() {
		return this.connectTimeout;
	}

}
