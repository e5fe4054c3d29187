package io.securestreams.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLException;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.NetUtil;
import io.securestreams.SecureStreamsException;
import io.securestreams.SystemBlobs;
import io.securestreams.SystemBlobs.ClientCertificate;
import io.securestreams.pki.KeyPairCheck;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.transport.ConnectTarget;
import org.jspecify.annotations.Nullable;

/**
 * Builds and caches TLS contexts. A client context trusts exactly the certificates of the
 * streamtype's trust store, or the JVM's default trust store when it names none; hostname
 * verification cannot be turned off. Contexts are cached by their trust anchors, client
 * certificate index and ALPN protocols, so TLS sessions are reused across connections; a client
 * certificate stored anew under an index replaces the context built for the one before.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class TlsContexts {

	private record ClientKey(@Nullable List<X509Certificate> anchors, @Nullable Integer clientCertIndex,
			List<String> alpn) {
	}

	// The certificate a context presents is kept with it rather than in its key: a device that
	// renews its certificate for months would otherwise keep one context (with the old private key
	// and a TLS session cache) per certificate it ever had.
	private record ClientEntry(@Nullable ClientCertificate clientCertificate, SslContext context) {
	}

	private record ServerKey(PolicyCertificate certificate, PolicyCertificate key, List<String> alpn) {
	}

	private final Map<ClientKey, ClientEntry> clientContexts = new ConcurrentHashMap<>();

	private final Map<ServerKey, SslContext> serverContexts = new ConcurrentHashMap<>();

	/**
	 * Returns the client context for a streamtype.
	 * @param policy the policy holding the trust store
	 * @param streamType the streamtype
	 * @param blobs where the client certificate is kept
	 * @param alpn application protocols to offer, empty for none
	 * @return the context
	 * @throws SecureStreamsException if the client certificate is missing or the context fails
	 */
	public SslContext clientContext(Policy policy, StreamTypePolicy streamType, SystemBlobs blobs, List<String> alpn) {
		String trustStore = streamType.tls().trustStore();
		List<X509Certificate> anchors = (trustStore != null) ? policy.trustAnchors(trustStore) : null;
		ClientCertificate clientCertificate = null;
		Integer index = streamType.tls().clientCert();
		if (index != null) {
			clientCertificate = blobs.clientCertificate(index);
			if (clientCertificate == null) {
				throw new SecureStreamsException("streamtype '" + streamType.name() + "' needs client certificate "
						+ index + ", but the system blob store has no CLIENT_CERT/CLIENT_KEY for it");
			}
		}
		ClientKey key = new ClientKey(anchors, index, List.copyOf(alpn));
		ClientCertificate presented = clientCertificate;
		return this.clientContexts
			.compute(key, (k, cached) -> (cached != null && Objects.equals(cached.clientCertificate(), presented))
					? cached : new ClientEntry(presented, buildClient(k, presented, streamType.name())))
			.context();
	}

	private static SslContext buildClient(ClientKey key, @Nullable ClientCertificate clientCertificate,
			String streamType) {
		try {
			SslContextBuilder builder = SslContextBuilder.forClient()
				.sslProvider(SslProvider.JDK)
				.endpointIdentificationAlgorithm("HTTPS");
			if (key.anchors() != null) {
				builder.trustManager(key.anchors());
			}
			if (clientCertificate != null) {
				PrivateKey privateKey = clientCertificate.privateKey();
				checkPair(key.clientCertIndex(), clientCertificate.chain(), privateKey);
				CertificateDates.warnIfOutside(streamType, key.clientCertIndex(), clientCertificate.chain().get(0));
				builder.keyManager(privateKey, clientCertificate.chain());
			}
			alpn(builder, key.alpn(), ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
					ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT);
			return builder.build();
		}
		catch (SSLException ex) {
			throw new SecureStreamsException("cannot build a TLS client context: " + ex.getMessage(), ex);
		}
	}

	// A pair stored slot by slot (SystemBlobs.set) is not checked where it is stored, and the blob
	// store does not check it on every read; a wrong key would first show as the server's alert
	// or hang-up, which names no blob. Checked here, once per certificate a context is built for.
	private static void checkPair(@Nullable Integer index, List<X509Certificate> chain, PrivateKey privateKey) {
		if (chain.isEmpty() || !KeyPairCheck.matches(chain.get(0).getPublicKey(), privateKey)) {
			throw new SecureStreamsException("client certificate " + index + ": the private key does not belong to "
					+ (chain.isEmpty() ? "any certificate (the chain is empty)"
							: "the leaf certificate " + chain.get(0).getSubjectX500Principal()));
		}
	}

	/**
	 * Returns the server context for a listener streamtype.
	 * @param policy the policy holding {@code certs}
	 * @param streamType the server streamtype
	 * @param alpn application protocols to accept, empty for none
	 * @return the context
	 * @throws SecureStreamsException if {@code server_cert} or {@code server_key} is missing
	 */
	public SslContext serverContext(Policy policy, StreamTypePolicy streamType, List<String> alpn) {
		String certName = streamType.tls().serverCert();
		String keyName = streamType.tls().serverKey();
		if (certName == null || keyName == null) {
			throw new SecureStreamsException("server streamtype '" + streamType.name() + "' has \"tls\": true but "
					+ "lacks " + ((certName == null) ? "\"server_cert\"" : "\"server_key\"")
					+ " naming an entry of the policy's certs");
		}
		PolicyCertificate cert = policy.certs().get(certName);
		PolicyCertificate key = policy.certs().get(keyName);
		if (cert == null || key == null) {
			String missing = (cert == null) ? "\"server_cert\": \"" + certName : "\"server_key\": \"" + keyName;
			throw new SecureStreamsException("server streamtype '" + streamType.name() + "' names a missing certs "
					+ "entry (" + missing + "\"); the policy's certs are " + policy.certs().keySet());
		}
		ServerKeyCheck.check(streamType.name(), cert, key);
		return this.serverContexts.computeIfAbsent(new ServerKey(cert, key, List.copyOf(alpn)), (serverKey) -> {
			CertificateDates.warnIfServerCertificateOutside(streamType.name(), certName, cert.certificate());
			return buildServer(serverKey);
		});
	}

	private static SslContext buildServer(ServerKey key) {
		try {
			SslContextBuilder builder = SslContextBuilder
				.forServer(key.key().privateKey(), key.certificate().certificate())
				.sslProvider(SslProvider.JDK);
			alpn(builder, key.alpn(), ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
					ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT);
			return builder.build();
		}
		catch (SSLException ex) {
			throw new SecureStreamsException("cannot build a TLS server context: " + ex.getMessage(), ex);
		}
	}

	private static void alpn(SslContextBuilder builder, List<String> protocols,
			ApplicationProtocolConfig.SelectorFailureBehavior selector,
			ApplicationProtocolConfig.SelectedListenerFailureBehavior listener) {
		if (!protocols.isEmpty()) {
			builder.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
					selector, listener, protocols));
		}
	}

	/**
	 * Creates a client handler for one connection, with SNI and the host name to verify.
	 * @param context the client context
	 * @param allocator the channel's allocator
	 * @param target the connection target
	 * @return the handler
	 */
	public static SslHandler newClientHandler(SslContext context, ByteBufAllocator allocator, ConnectTarget target) {
		SslHandler handler = context.newHandler(allocator, target.host(), (target.port() > 0) ? target.port() : 443);
		SSLParameters parameters = handler.engine().getSSLParameters();
		parameters.setEndpointIdentificationAlgorithm("HTTPS");
		SNIHostName serverName = serverName(target.host());
		if (serverName != null) {
			// The JDK only derives SNI from host names with a dot, so "localhost" or a bare
			// device name would otherwise go without one.
			parameters.setServerNames(List.of(serverName));
		}
		handler.engine().setSSLParameters(parameters);
		return handler;
	}

	/**
	 * The SNI name for a host: none for an IP literal (RFC 6066 forbids them) or a name SNI
	 * cannot carry; a trailing dot is dropped.
	 */
	static @Nullable SNIHostName serverName(@Nullable String host) {
		if (host == null || host.isEmpty() || NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
			return null;
		}
		String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
		try {
			return new SNIHostName(name);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * Returns the TLS failure behind an exception a connection reported after its TLS handshake
	 * succeeded (an alert from the peer, a record that cannot be read; the TLS handler wraps them
	 * in a decoder exception). A failed handshake is not one: it fails the connect, which says so.
	 * @param pipeline the connection's pipeline
	 * @param cause the exception the pipeline reported
	 * @return the TLS exception, or {@code null} when the failure is not such a TLS one
	 */
	public static @Nullable SSLException failureAfterHandshake(ChannelPipeline pipeline, Throwable cause) {
		SslHandler ssl = pipeline.get(SslHandler.class);
		if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
			return null;
		}
		for (Throwable t = cause; t != null; t = (t.getCause() != t) ? t.getCause() : null) {
			if (t instanceof SSLException tls) {
				return tls;
			}
		}
		return null;
	}

	/** How many client contexts are cached, for tests. */
	int clientContextCount() {
		return this.clientContexts.size();
	}

	/**
	 * Forgets every cached context, for example after the policy's certificates changed.
	 */
	public void clear() {
		this.clientContexts.clear();
		this.serverContexts.clear();
	}

}
