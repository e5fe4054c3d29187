package io.securestreams.protocol.mqtt;

import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.transport.EndpointResolver;
import org.jspecify.annotations.Nullable;

/**
 * What the policy says about where a streamtype's MQTT connection goes: streamtypes with equal
 * values may share one broker connection, so they are placed on the same event loop and must
 * agree on the connection-level settings. The endpoint is compared as written, before
 * {@code ${metadata}} expansion; the connection actually shared is decided per attempt by
 * {@link MqttConnectionKey}.
 *
 * @param endpoint the endpoint as written in the policy
 * @param port the port, with the protocol default filled in
 * @param tls whether TLS is on
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
		int port = (policy.port() != 0) ? policy.port()
				: EndpointResolver.defaultPort(policy.protocol(), policy.tls().enabled());
		return new MqttSharing(policy.endpoint(), port, policy.tls().enabled(),
				policy.tls().enabled() && policy.mqtt().awsIot(), policy.tls().trustStore(),
				policy.tls().clientCert(), policy.viaSocks5());
	}

	@Override
	public String toString() {
		return (this.tls ? "mqtts://" : "mqtt://") + this.endpoint + ":" + this.port;
	}

}
