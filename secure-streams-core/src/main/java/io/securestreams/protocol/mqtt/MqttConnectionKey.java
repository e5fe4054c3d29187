package io.securestreams.protocol.mqtt;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import io.netty.channel.EventLoop;
import io.securestreams.SystemBlobs;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.transport.ConnectTarget;
import org.jspecify.annotations.Nullable;

/**
 * Identifies one MQTT session of a context: attempts with equal keys share a broker connection.
 * The key holds the expanded endpoint, the TLS trust settings and the credentials from the
 * system blobs, plus the event loop, so a session is only ever touched from one thread.
 *
 * @param loop the event loop of the streams that share the session
 * @param address where to connect
 * @param host the host name, in lower case (host names are case-insensitive)
 * @param port the port
 * @param tls whether TLS is on
 * @param awsIotAlpn whether TLS offers the AWS IoT ALPN protocol ({@code aws_iot} with TLS);
 * a connection set up with it is not one for streams that do not ask for it
 * @param socks5 the SOCKS5 proxy, or {@code null}
 * @param trustStore the trust store name, or {@code null} for the JVM default
 * @param clientCert the client certificate index, or {@code null}
 * @param clientId the client id from {@code MQTT_CLIENT_ID}, or {@code null} for a generated one
 * @param username the user name from {@code MQTT_USERNAME}, or {@code null}
 * @param password the password from {@code MQTT_PASSWORD} as ISO-8859-1 text, or {@code null}
 * @author Secure Streams contributors
 * @since 0.1.0
 */
record MqttConnectionKey(EventLoop loop, SocketAddress address, String host, int port, boolean tls, boolean awsIotAlpn,
		@Nullable InetSocketAddress socks5, @Nullable String trustStore, @Nullable Integer clientCert,
		@Nullable String clientId, @Nullable String username, @Nullable String password) {

	static MqttConnectionKey of(EventLoop loop, ConnectTarget target, StreamTypePolicy policy, SystemBlobs blobs) {
		byte[] password = blobs.get(SystemBlobs.Type.MQTT_PASSWORD, 0);
		// Host names are case-insensitive: "Broker" and "broker" are one broker, and two connections
		// to it with the blobs' client id would be refused as a clash instead of shared.
		return new MqttConnectionKey(loop, target.address(), target.host().toLowerCase(Locale.ROOT), target.port(),
				target.tls(),
				target.tls() && policy.mqtt().awsIot(),
				target.socks5(), policy.tls().trustStore(), policy.tls().clientCert(),
				blobs.getString(SystemBlobs.Type.MQTT_CLIENT_ID, 0), blobs.getString(SystemBlobs.Type.MQTT_USERNAME, 0),
				(password != null) ? new String(password, StandardCharsets.ISO_8859_1) : null);
	}

	byte @Nullable [] passwordBytes() {
		return (this.password != null) ? this.password.getBytes(StandardCharsets.ISO_8859_1) : null;
	}

	@Override
	public String toString() {
		return (this.tls ? "mqtts://" : "mqtt://") + this.host + ":" + this.port
				+ (this.awsIotAlpn ? " (alpn " + MqttClientProtocol.AWS_IOT_ALPN + ")" : "")
				+ ((this.socks5 != null) ? " via socks5 " + this.socks5 : "") + " as "
				+ ((this.clientId != null) ? this.clientId : "(generated id)")
				+ ((this.username != null) ? " user " + this.username : "");
	}

}
