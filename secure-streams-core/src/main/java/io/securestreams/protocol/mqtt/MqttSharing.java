package io.securestreams.protocol.mqtt;

import java.util.Locale;

import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.transport.ConnectTarget;
import io.securestreams.transport.EndpointResolver;
import org.jspecify.annotations.Nullable;

/**
 * What the policy says about where a streamtype's MQTT connection goes: streamtypes with equal
 * values may share one broker connection, so they are placed on the same event loop and must
 * agree on the connection-level settings. An endpoint given as a URL is compared by its host,
 * port and TLS, others as written, before {@code ${metadata}} expansion; host names without case,
 * as {@link MqttConnectionKey}, which decides per attempt the connection actually shared.
 *
 * @param endpoint the endpoint as written in the policy, or the host of a URL endpoint; in lower
 * case unless it is a {@code ${metadata}} template
 * @param port the port, with the protocol default filled in
 * @param tls whether TLS is on (by the URL's scheme for a URL endpoint)
 * @param awsIotAlpn whether TLS offers the AWS IoT ALPN protocol, which makes a connection of
 * its own
 * @param trustStore the trust store name, or {@code null}
 * @param clientCert the client certificate index, or {@code null}
 * @param viaSocks5 the streamtype's SOCKS5 proxy, or {@code null}
 * @author Secure Streams contributors
 * @since 0.1.0
 */
record MqttSharing(@Nullable String endpoint, int port, boolean tls, boolean awsIotAlpn, @Nullable String trustStore,
		@Nullable Integer clientCert, @Nullable String viaSocks5) {

	static MqttSharing of(StreamTypePolicy policy) {
		String endpoint = policy.endpoint();
		boolean tls = policy.tls().enabled();
		int port = (policy.port() != 0) ? policy.port() : EndpointResolver.defaultPort(policy.protocol(), tls);
		if (endpoint != null && endpoint.contains("://") && !endpoint.contains("${")) {
			// Compared as an attempt reads it, so that "mqtt://broker:1883" is "broker" on 1883.
			try {
				ConnectTarget url = EndpointResolver.fromUrl(policy, endpoint);
				endpoint = url.host();
				port = url.port();
				tls = url.tls();
			}
			catch (IllegalArgumentException ex) {
				// No attempt can use it, so it shares nothing: compared as written.
			}
		}
		if (endpoint != null && !endpoint.contains("${")) {
			endpoint = endpoint.toLowerCase(Locale.ROOT);
		}
		return new MqttSharing(endpoint, port, tls, tls && policy.mqtt().awsIot(), policy.tls().trustStore(),
				policy.tls().clientCert(), policy.viaSocks5());
	}

	@Override
	public String toString() {
		return (this.tls ? "mqtts://" : "mqtt://") + this.endpoint + ":" + this.port;
	}

}
