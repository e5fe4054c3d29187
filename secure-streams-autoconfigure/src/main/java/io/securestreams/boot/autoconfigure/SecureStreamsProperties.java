package io.securestreams.boot.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.securestreams.policy.Protocol;
import io.securestreams.transport.TransportResources;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.ConfigurationPropertiesSource;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.core.io.Resource;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties for Secure Streams. The policy can come from a JSON resource
 * ({@code secure-streams.policy.location}), from the typed properties under
 * {@code secure-streams.policy}, or both, the properties then acting as an overlay over the JSON.
 * Streamtype keys are the policy's JSON keys in kebab case ({@code tls_trust_store} is
 * {@code tls-trust-store}).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@ConfigurationProperties("secure-streams")
public class SecureStreamsProperties {

	/**
	 * Whether to enable Secure Streams.
	 */
	private boolean enabled = true;

	/**
	 * Number of event loop threads; 0 means Netty's default of twice the processors.
	 */
	private int eventLoopThreads;

	/**
	 * Event loop transport: native epoll when available (auto), NIO, or epoll.
	 */
	private TransportResources.Kind transport = TransportResources.Kind.AUTO;

	/**
	 * Longest a host name lookup, a TCP connect to each address, a SOCKS5 negotiation or a TLS handshake may take.
	 */
	private Duration connectTimeout = Duration.ofSeconds(10);

	/**
	 * Longest graceful shutdown waits for streams to reach their final states; 0 closes without
	 * waiting, a negative value fails the start-up.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(10);

	private final PolicyProperties policy = new PolicyProperties();

	private final RemotePolicy remotePolicy = new RemotePolicy();

	private final CaptivePortal captivePortal = new CaptivePortal();

	private final AccessToken accessToken = new AccessToken();

	private final Proxy proxy = new Proxy();

	private final Limits limits = new Limits();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getEventLoopThreads() {
		return this.eventLoopThreads;
	}

	public void setEventLoopThreads(int eventLoopThreads) {
		this.eventLoopThreads = eventLoopThreads;
	}

	public TransportResources.Kind getTransport() {
		return this.transport;
	}

	public void setTransport(TransportResources.Kind transport) {
		this.transport = transport;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public PolicyProperties getPolicy() {
		return this.policy;
	}

	public RemotePolicy getRemotePolicy() {
		return this.remotePolicy;
	}

	public CaptivePortal getCaptivePortal() {
		return this.captivePortal;
	}

	public AccessToken getAccessToken() {
		return this.accessToken;
	}

	public Proxy getProxy() {
		return this.proxy;
	}

	public Limits getLimits() {
		return this.limits;
	}

	/**
	 * The policy database.
	 */
	public static class PolicyProperties {

		/**
		 * Location of a policy JSON resource, for example 'classpath:secure-streams/policy.json'. The
		 * other policy properties are applied over it as an overlay.
		 */
		private @Nullable Resource location;

		/**
		 * Policy release identifier.
		 */
		private @Nullable String release;

		/**
		 * Product the policy applies to.
		 */
		private @Nullable String product;

		/**
		 * Minimum policy parser version the policy needs.
		 */
		private @Nullable Integer schemaVersion;

		/**
		 * SOCKS5 proxy 'host:port' for every client stream.
		 */
		private @Nullable String viaSocks5;

		/**
		 * Retry and backoff schemes by name.
		 */
		private final Map<String, Retry> retry = new LinkedHashMap<>();

		/**
		 * Certificates and private keys by name.
		 */
		private final Map<String, Cert> certs = new LinkedHashMap<>();

		/**
		 * Trust stores by name, each a list of certs entry names.
		 */
		private final Map<String, List<String>> trustStores = new LinkedHashMap<>();

		/**
		 * Authentication schemes by name.
		 */
		private final Map<String, Auth> auth = new LinkedHashMap<>();

		/**
		 * Metrics policies by name; when any is given they replace those of the JSON policy.
		 */
		private final Map<String, Metrics> metrics = new LinkedHashMap<>();

		/**
		 * Streamtypes by name. Names with characters other than lowercase letters, digits and
		 * '-' need the bracket notation, for example '[fetch_policy]'.
		 */
		private final Map<String, StreamType> streamtypes = new LinkedHashMap<>();

		public @Nullable Resource getLocation() {
			return this.location;
		}

		public void setLocation(@Nullable Resource location) {
			this.location = location;
		}

		public @Nullable String getRelease() {
			return this.release;
		}

		public void setRelease(@Nullable String release) {
			this.release = release;
		}

		public @Nullable String getProduct() {
			return this.product;
		}

		public void setProduct(@Nullable String product) {
			this.product = product;
		}

		public @Nullable Integer getSchemaVersion() {
			return this.schemaVersion;
		}

		public void setSchemaVersion(@Nullable Integer schemaVersion) {
			this.schemaVersion = schemaVersion;
		}

		public @Nullable String getViaSocks5() {
			return this.viaSocks5;
		}

		public void setViaSocks5(@Nullable String viaSocks5) {
			this.viaSocks5 = viaSocks5;
		}

		public Map<String, Retry> getRetry() {
			return this.retry;
		}

		public Map<String, Cert> getCerts() {
			return this.certs;
		}

		public Map<String, List<String>> getTrustStores() {
			return this.trustStores;
		}

		public Map<String, Auth> getAuth() {
			return this.auth;
		}

		public Map<String, Metrics> getMetrics() {
			return this.metrics;
		}

		public Map<String, StreamType> getStreamtypes() {
			return this.streamtypes;
		}

		/**
		 * Whether any policy content is set as properties (the location aside).
		 * @return {@code true} when the properties hold policy content
		 */
		boolean hasContent() {
			return this.release != null || this.product != null || this.schemaVersion != null || this.viaSocks5 != null
					|| !this.retry.isEmpty() || !this.certs.isEmpty() || !this.trustStores.isEmpty()
					|| !this.auth.isEmpty() || !this.metrics.isEmpty() || !this.streamtypes.isEmpty();
		}

	}

	/**
	 * A retry and backoff scheme.
	 */
	@ConfigurationPropertiesSource
	public static class Retry {

		/**
		 * Delays before each retry in turn, in whole milliseconds; the last one repeats. A bare number
		 * is in milliseconds.
		 */
		@DurationUnit(ChronoUnit.MILLIS)
		private List<Duration> backoff = new ArrayList<>();

		/**
		 * Number of failed attempts hidden before ALL_RETRIES_FAILED; 65535 means retry forever.
		 */
		private @Nullable Integer conceal;

		/**
		 * Random extra added to each delay, in percent of it.
		 */
		private @Nullable Integer jitter;

		/**
		 * Idle time before a protocol-level validity ping, in whole seconds. A bare number is in seconds.
		 */
		@DurationUnit(ChronoUnit.SECONDS)
		private @Nullable Duration validPing;

		/**
		 * Idle time before the connection is closed as dead, in whole seconds. A bare number is in seconds.
		 */
		@DurationUnit(ChronoUnit.SECONDS)
		private @Nullable Duration validHangup;

		public List<Duration> getBackoff() {
			return this.backoff;
		}

		public void setBackoff(List<Duration> backoff) {
			this.backoff = backoff;
		}

		public @Nullable Integer getConceal() {
			return this.conceal;
		}

		public void setConceal(@Nullable Integer conceal) {
			this.conceal = conceal;
		}

		public @Nullable Integer getJitter() {
			return this.jitter;
		}

		public void setJitter(@Nullable Integer jitter) {
			this.jitter = jitter;
		}

		public @Nullable Duration getValidPing() {
			return this.validPing;
		}

		public void setValidPing(@Nullable Duration validPing) {
			this.validPing = validPing;
		}

		public @Nullable Duration getValidHangup() {
			return this.validHangup;
		}

		public void setValidHangup(@Nullable Duration validHangup) {
			this.validHangup = validHangup;
		}

	}

	/**
	 * A certificate or private key, given inline or as a resource.
	 */
	@ConfigurationPropertiesSource
	public static class Cert {

		/**
		 * Base64 DER of the certificate or key (the text between a PEM file's BEGIN and END lines).
		 */
		private @Nullable String value;

		/**
		 * Location of a PEM or DER file holding the certificate (one; a file of several is refused) or key.
		 */
		private @Nullable Resource location;

		public @Nullable String getValue() {
			return this.value;
		}

		public void setValue(@Nullable String value) {
			this.value = value;
		}

		public @Nullable Resource getLocation() {
			return this.location;
		}

		public void setLocation(@Nullable Resource location) {
			this.location = location;
		}

	}

	/**
	 * An authentication scheme.
	 */
	@ConfigurationPropertiesSource
	public static class Auth {

		/**
		 * Scheme type, for example 'sigv4'.
		 */
		private @Nullable String type;

		/**
		 * Streamtype that refreshes the token.
		 */
		private @Nullable String streamtype;

		/**
		 * Auth blob index (0 to 3) the token is kept in.
		 */
		private int blob;

		public @Nullable String getType() {
			return this.type;
		}

		public void setType(@Nullable String type) {
			this.type = type;
		}

		public @Nullable String getStreamtype() {
			return this.streamtype;
		}

		public void setStreamtype(@Nullable String streamtype) {
			this.streamtype = streamtype;
		}

		public int getBlob() {
			return this.blob;
		}

		public void setBlob(int blob) {
			this.blob = blob;
		}

	}

	/**
	 * A metrics policy.
	 */
	@ConfigurationPropertiesSource
	public static class Metrics {

		/**
		 * Reporting period: "us_schedule" of the policy JSON, which counts microseconds, while a
		 * bare number here counts milliseconds; give a unit, such as 60s.
		 */
		private Duration schedule = Duration.ZERO;

		/**
		 * Half-life of the aggregation: "us_halflife" of the policy JSON, which counts
		 * microseconds, while a bare number here counts milliseconds; give a unit, such as 10s.
		 */
		private Duration halflife = Duration.ZERO;

		/**
		 * Smallest value treated as an outlier.
		 */
		private long minOutlier;

		/**
		 * Streamtype the report is sent on.
		 */
		private @Nullable String report;

		public Duration getSchedule() {
			return this.schedule;
		}

		public void setSchedule(Duration schedule) {
			this.schedule = schedule;
		}

		public Duration getHalflife() {
			return this.halflife;
		}

		public void setHalflife(Duration halflife) {
			this.halflife = halflife;
		}

		public long getMinOutlier() {
			return this.minOutlier;
		}

		public void setMinOutlier(long minOutlier) {
			this.minOutlier = minOutlier;
		}

		public @Nullable String getReport() {
			return this.report;
		}

		public void setReport(@Nullable String report) {
			this.report = report;
		}

	}

	/**
	 * Remote policy fetch through the policy's fetch streamtype.
	 */
	public static class RemotePolicy {

		/**
		 * Whether to fetch the remote policy at start-up, before handler streams are created.
		 */
		private boolean fetchOnStartup;

		/**
		 * Streamtype the policy is fetched with.
		 */
		private String streamtype = "fetch_policy";

		/**
		 * Longest one fetch may take.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		/**
		 * Largest policy accepted.
		 */
		private DataSize maxSize = DataSize.ofMegabytes(4);

		public boolean isFetchOnStartup() {
			return this.fetchOnStartup;
		}

		public void setFetchOnStartup(boolean fetchOnStartup) {
			this.fetchOnStartup = fetchOnStartup;
		}

		public String getStreamtype() {
			return this.streamtype;
		}

		public void setStreamtype(String streamtype) {
			this.streamtype = streamtype;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

	}

	/**
	 * Proxied mode: streams fulfilled by a Secure Streams proxy that holds the policy.
	 */
	public static class Proxy {

		/**
		 * Address of the Secure Streams proxy that fulfils every stream: '+@name' (Linux abstract
		 * socket; libwebsockets' default is '+@proxy.ss.lws'), '+/path' (socket file) or
		 * 'host:port'. When set, the local policy is not used to connect.
		 */
		private @Nullable String address;

		/**
		 * SOCKS5 proxy 'host:port' through which the links to a 'host:port' proxy address go,
		 * as libwebsockets' socks_proxy. Streams of a direct context use the policy's via-socks5.
		 */
		private @Nullable String viaSocks5;

		public @Nullable String getAddress() {
			return this.address;
		}

		public void setAddress(@Nullable String address) {
			this.address = address;
		}

		public @Nullable String getViaSocks5() {
			return this.viaSocks5;
		}

		public void setViaSocks5(@Nullable String viaSocks5) {
			this.viaSocks5 = viaSocks5;
		}

	}

	/**
	 * Limits on what peers may send, so that one misbehaving peer cannot hold unbounded memory or
	 * connections (see {@code io.securestreams.ProtocolLimits}).
	 */
	public static class Limits {

		/**
		 * Largest ws frame payload accepted from a peer, by ws clients and servers; at least 256KB.
		 */
		private DataSize maxWsFramePayload = DataSize.ofMegabytes(1);

		/**
		 * Largest http request head a server accepts, and largest response head (h1), response
		 * header list (h2) or ws upgrade answer a client accepts; at least 1KB.
		 */
		private DataSize maxHttpHeaderSize = DataSize.ofKilobytes(16);

		/**
		 * Longest a peer may take over its part of a handshake: a TLS handshake and each request
		 * head of an accepted connection, each pause within an accepted request's body, each wait
		 * for an http client to take any of its response, and the ws upgrade answer a ws client
		 * waits for.
		 */
		private Duration handshakeTimeout = Duration.ofSeconds(10);

		/**
		 * Longest an h1 or h2 client stream waits for the response head once its request is
		 * sent, or for a server to take any of a request body it stopped taking; then the
		 * connection (h1) or the h2 stream is closed.
		 */
		private Duration responseTimeout = Duration.ofSeconds(15);

		public DataSize getMaxWsFramePayload() {
			return this.maxWsFramePayload;
		}

		public void setMaxWsFramePayload(DataSize maxWsFramePayload) {
			this.maxWsFramePayload = maxWsFramePayload;
		}

		public DataSize getMaxHttpHeaderSize() {
			return this.maxHttpHeaderSize;
		}

		public void setMaxHttpHeaderSize(DataSize maxHttpHeaderSize) {
			this.maxHttpHeaderSize = maxHttpHeaderSize;
		}

		public Duration getHandshakeTimeout() {
			return this.handshakeTimeout;
		}

		public void setHandshakeTimeout(Duration handshakeTimeout) {
			this.handshakeTimeout = handshakeTimeout;
		}

		public Duration getResponseTimeout() {
			return this.responseTimeout;
		}

		public void setResponseTimeout(Duration responseTimeout) {
			this.responseTimeout = responseTimeout;
		}

	}

	/**
	 * One streamtype; every key is optional and only the keys given are applied.
	 */
	@ConfigurationPropertiesSource
	public static class StreamType {

		/**
		 * Client: host name, address, URL or '+/path' / '+@name' Unix socket to connect to, may hold
		 * ${metadata}; server: interface or address to bind to.
		 */
		private @Nullable String endpoint;

		/**
		 * Client: port to connect to; server: port to listen on, 0 for an ephemeral port.
		 */
		private @Nullable Integer port;

		/**
		 * Wire protocol.
		 */
		private @Nullable Protocol protocol;

		/**
		 * Whether this streamtype is a server listener.
		 */
		private @Nullable Boolean server;

		/**
		 * SOCKS5 proxy 'host:port' for this streamtype only.
		 */
		private @Nullable String viaSocks5;

		/**
		 * Name of the retry scheme to use; none means no retries.
		 */
		private @Nullable String retry;

		/**
		 * Timeout applied when a stream starts its timer with the policy value (timeout_ms), in whole
		 * milliseconds. A bare number is in milliseconds.
		 */
		@DurationUnit(ChronoUnit.MILLIS)
		private @Nullable Duration timeoutMs;

		/**
		 * Whether the connection may stay dropped when not in use.
		 */
		private @Nullable Boolean opportunistic;

		/**
		 * Whether streams connect at creation (reconnecting after a drop follows opportunistic).
		 */
		private @Nullable Boolean nailedUp;

		/**
		 * Whether transmit is urgent (informational).
		 */
		private @Nullable Boolean urgentTx;

		/**
		 * Whether receive is urgent (informational).
		 */
		private @Nullable Boolean urgentRx;

		/**
		 * Whether connection performance JSON is delivered as rx with the PERF_JSON flag.
		 */
		private @Nullable Boolean perf;

		/**
		 * Whether an h2 stream goes rx-only after its headers.
		 */
		private @Nullable Boolean longPoll;

		/**
		 * Whether connection validity checks may wake the system from suspend.
		 */
		private @Nullable Boolean swakeValidity;

		/**
		 * Whether an in-process sink serves this streamtype.
		 */
		private @Nullable Boolean localSink;

		/**
		 * Whether protocol headers can be set and read directly as metadata.
		 */
		private @Nullable Boolean directProtoStr;

		/**
		 * Next streamtype of a rideshare chain.
		 */
		private @Nullable String rideshare;

		/**
		 * Payload format hint for applications.
		 */
		private @Nullable String payloadFmt;

		/**
		 * Name of the auth scheme the streamtype uses.
		 */
		private @Nullable String useAuth;

		/**
		 * Metadata name that holds the AWS region.
		 */
		private @Nullable String awsRegion;

		/**
		 * Metadata name that holds the AWS service.
		 */
		private @Nullable String awsService;

		/**
		 * Declared metadata names, each mapped to a protocol item such as an http header name with its
		 * trailing colon ('content-type:'), or to an empty string when unmapped.
		 */
		private Map<String, String> metadata = new LinkedHashMap<>();

		/**
		 * Per-listener protocol options of a server streamtype.
		 */
		private Map<String, String> options = new LinkedHashMap<>();

		/**
		 * Whether the connection travels in TLS.
		 */
		private @Nullable Boolean tls;

		/**
		 * Name of the trust store that validates the server certificate; the JVM's default trust is used when absent.
		 */
		private @Nullable String tlsTrustStore;

		/**
		 * Index of the TLS client certificate in the system blobs.
		 */
		private @Nullable Integer clientCert;

		/**
		 * Server only: name of the certs entry that is the server certificate.
		 */
		private @Nullable String serverCert;

		/**
		 * Server only: name of the certs entry that is the server private key.
		 */
		private @Nullable String serverKey;

		/**
		 * HTTP method, for example GET or POST.
		 */
		private @Nullable String httpMethod;

		/**
		 * HTTP URL path, may hold ${metadata}.
		 */
		private @Nullable String httpUrl;

		/**
		 * HTTP status that alone counts as success, instead of any 2xx.
		 */
		private @Nullable Integer httpExpect;

		/**
		 * HTTP statuses reported as stream states (status to state, usually a user state of 1000 or more).
		 */
		private Map<Integer, Integer> httpRespMap = new LinkedHashMap<>();

		/**
		 * Header, with its trailing colon, that carries the auth token.
		 */
		private @Nullable String httpAuthHeader;

		/**
		 * Header, with its trailing colon, that carries the device serial number.
		 */
		private @Nullable String httpDsnHeader;

		/**
		 * Header, with its trailing colon, that carries the firmware version.
		 */
		private @Nullable String httpFwvHeader;

		/**
		 * Header, with its trailing colon, that carries the device type.
		 */
		private @Nullable String httpDevtypeHeader;

		/**
		 * Text put before the auth token, for example 'bearer '.
		 */
		private @Nullable String httpAuthPreamble;

		/**
		 * Whether the auth token is sent as hex.
		 */
		private @Nullable Boolean authHexify;

		/**
		 * Whether a request body is sent without a content-length header.
		 */
		private @Nullable Boolean httpNoContentLength;

		/**
		 * Whether the h2 peer needs END_STREAM before it answers.
		 */
		private @Nullable Boolean nghttp2QuirkEndStream;

		/**
		 * Whether the h2 peer overflows its initial tx credit.
		 */
		private @Nullable Boolean h2qOflowTxcr;

		/**
		 * Name part of the multipart mime header of outgoing bodies.
		 */
		private @Nullable String httpMultipartName;

		/**
		 * Filename part of the multipart mime header of outgoing bodies.
		 */
		private @Nullable String httpMultipartFilename;

		/**
		 * Content type of the multipart mime section.
		 */
		private @Nullable String httpMimeContentType;

		/**
		 * Whether the body is sent as x-www-form-urlencoded.
		 */
		private @Nullable Boolean httpWwwFormUrlencoded;

		/**
		 * Whether http cookies from the peer are stored and sent back.
		 */
		private @Nullable Boolean httpCookies;

		/**
		 * Whether meeting an http redirect fails the connection.
		 */
		private @Nullable Boolean httpFailRedirect;

		/**
		 * Whether http redirects are followed.
		 */
		private @Nullable Boolean allowRedirects;

		/**
		 * Whether incoming multipart mime is split into messages.
		 */
		private @Nullable Boolean httpMultipartSsIn;

		/**
		 * Client: WebSocket subprotocol to request; server: the subprotocol accepted.
		 */
		private @Nullable String wsSubprotocol;

		/**
		 * Whether WebSocket messages are binary rather than text.
		 */
		private @Nullable Boolean wsBinary;

		/**
		 * Whether reading is favoured over writing latency.
		 */
		private @Nullable Boolean wsPrioritizeReads;

		/**
		 * MQTT topic written to.
		 */
		private @Nullable String mqttTopic;

		/**
		 * MQTT topic subscribed to.
		 */
		private @Nullable String mqttSubscribe;

		/**
		 * MQTT QoS level (0, 1 or 2).
		 */
		private @Nullable Integer mqttQos;

		/**
		 * Whether published MQTT messages are retained.
		 */
		private @Nullable Boolean mqttRetain;

		/**
		 * MQTT keep-alive, in whole seconds. A bare number is in seconds.
		 */
		@DurationUnit(ChronoUnit.SECONDS)
		private @Nullable Duration mqttKeepAlive;

		/**
		 * Whether the MQTT connection uses clean start.
		 */
		private @Nullable Boolean mqttCleanStart;

		/**
		 * Topic of the MQTT will message.
		 */
		private @Nullable String mqttWillTopic;

		/**
		 * Content of the MQTT will message.
		 */
		private @Nullable String mqttWillMessage;

		/**
		 * QoS of the MQTT will message.
		 */
		private @Nullable Integer mqttWillQos;

		/**
		 * Whether the MQTT will message is retained.
		 */
		private @Nullable Boolean mqttWillRetain;

		/**
		 * Topic of the MQTT birth message.
		 */
		private @Nullable String mqttBirthTopic;

		/**
		 * Content of the MQTT birth message.
		 */
		private @Nullable String mqttBirthMessage;

		/**
		 * QoS of the MQTT birth message.
		 */
		private @Nullable Integer mqttBirthQos;

		/**
		 * Whether the MQTT birth message is retained.
		 */
		private @Nullable Boolean mqttBirthRetain;

		/**
		 * Whether the MQTT connection follows AWS IoT conventions.
		 */
		private @Nullable Boolean awsIot;

		/**
		 * Socket priority (0 to 7).
		 */
		private @Nullable Integer attrPriority;

		/**
		 * Whether the socket is marked for low latency.
		 */
		private @Nullable Boolean attrLowLatency;

		/**
		 * Whether the socket is marked for high throughput.
		 */
		private @Nullable Boolean attrHighThroughput;

		/**
		 * Whether the socket is marked for high reliability.
		 */
		private @Nullable Boolean attrHighReliability;

		/**
		 * Whether the socket is marked for low cost.
		 */
		private @Nullable Boolean attrLowCost;

		/**
		 * Most payload the proxy buffers for a stream of this type.
		 */
		private @Nullable DataSize proxyBuflen;

		/**
		 * Buffered amount at the proxy above which rx flow control is asserted.
		 */
		private @Nullable DataSize proxyBuflenRxflowOnAbove;

		/**
		 * Buffered amount at the proxy below which rx flow control is released.
		 */
		private @Nullable DataSize proxyBuflenRxflowOffBelow;

		/**
		 * Most payload a proxied client buffers for a stream of this type.
		 */
		private @Nullable DataSize clientBuflen;

		/**
		 * Buffered amount at the client above which rx flow control is asserted.
		 */
		private @Nullable DataSize clientBuflenRxflowOnAbove;

		/**
		 * Buffered amount at the client below which rx flow control is released.
		 */
		private @Nullable DataSize clientBuflenRxflowOffBelow;

		public @Nullable String getEndpoint() {
			return this.endpoint;
		}

		public void setEndpoint(@Nullable String endpoint) {
			this.endpoint = endpoint;
		}

		public @Nullable Integer getPort() {
			return this.port;
		}

		public void setPort(@Nullable Integer port) {
			this.port = port;
		}

		public @Nullable Protocol getProtocol() {
			return this.protocol;
		}

		public void setProtocol(@Nullable Protocol protocol) {
			this.protocol = protocol;
		}

		public @Nullable Boolean getServer() {
			return this.server;
		}

		public void setServer(@Nullable Boolean server) {
			this.server = server;
		}

		public @Nullable String getViaSocks5() {
			return this.viaSocks5;
		}

		public void setViaSocks5(@Nullable String viaSocks5) {
			this.viaSocks5 = viaSocks5;
		}

		public @Nullable String getRetry() {
			return this.retry;
		}

		public void setRetry(@Nullable String retry) {
			this.retry = retry;
		}

		public @Nullable Duration getTimeoutMs() {
			return this.timeoutMs;
		}

		public void setTimeoutMs(@Nullable Duration timeoutMs) {
			this.timeoutMs = timeoutMs;
		}

		public @Nullable Boolean getOpportunistic() {
			return this.opportunistic;
		}

		public void setOpportunistic(@Nullable Boolean opportunistic) {
			this.opportunistic = opportunistic;
		}

		public @Nullable Boolean getNailedUp() {
			return this.nailedUp;
		}

		public void setNailedUp(@Nullable Boolean nailedUp) {
			this.nailedUp = nailedUp;
		}

		public @Nullable Boolean getUrgentTx() {
			return this.urgentTx;
		}

		public void setUrgentTx(@Nullable Boolean urgentTx) {
			this.urgentTx = urgentTx;
		}

		public @Nullable Boolean getUrgentRx() {
			return this.urgentRx;
		}

		public void setUrgentRx(@Nullable Boolean urgentRx) {
			this.urgentRx = urgentRx;
		}

		public @Nullable Boolean getPerf() {
			return this.perf;
		}

		public void setPerf(@Nullable Boolean perf) {
			this.perf = perf;
		}

		public @Nullable Boolean getLongPoll() {
			return this.longPoll;
		}

		public void setLongPoll(@Nullable Boolean longPoll) {
			this.longPoll = longPoll;
		}

		public @Nullable Boolean getSwakeValidity() {
			return this.swakeValidity;
		}

		public void setSwakeValidity(@Nullable Boolean swakeValidity) {
			this.swakeValidity = swakeValidity;
		}

		public @Nullable Boolean getLocalSink() {
			return this.localSink;
		}

		public void setLocalSink(@Nullable Boolean localSink) {
			this.localSink = localSink;
		}

		public @Nullable Boolean getDirectProtoStr() {
			return this.directProtoStr;
		}

		public void setDirectProtoStr(@Nullable Boolean directProtoStr) {
			this.directProtoStr = directProtoStr;
		}

		public @Nullable String getRideshare() {
			return this.rideshare;
		}

		public void setRideshare(@Nullable String rideshare) {
			this.rideshare = rideshare;
		}

		public @Nullable String getPayloadFmt() {
			return this.payloadFmt;
		}

		public void setPayloadFmt(@Nullable String payloadFmt) {
			this.payloadFmt = payloadFmt;
		}

		public @Nullable String getUseAuth() {
			return this.useAuth;
		}

		public void setUseAuth(@Nullable String useAuth) {
			this.useAuth = useAuth;
		}

		public @Nullable String getAwsRegion() {
			return this.awsRegion;
		}

		public void setAwsRegion(@Nullable String awsRegion) {
			this.awsRegion = awsRegion;
		}

		public @Nullable String getAwsService() {
			return this.awsService;
		}

		public void setAwsService(@Nullable String awsService) {
			this.awsService = awsService;
		}

		public Map<String, String> getMetadata() {
			return this.metadata;
		}

		public void setMetadata(Map<String, String> metadata) {
			this.metadata = metadata;
		}

		public Map<String, String> getOptions() {
			return this.options;
		}

		public void setOptions(Map<String, String> options) {
			this.options = options;
		}

		public @Nullable Boolean getTls() {
			return this.tls;
		}

		public void setTls(@Nullable Boolean tls) {
			this.tls = tls;
		}

		public @Nullable String getTlsTrustStore() {
			return this.tlsTrustStore;
		}

		public void setTlsTrustStore(@Nullable String tlsTrustStore) {
			this.tlsTrustStore = tlsTrustStore;
		}

		public @Nullable Integer getClientCert() {
			return this.clientCert;
		}

		public void setClientCert(@Nullable Integer clientCert) {
			this.clientCert = clientCert;
		}

		public @Nullable String getServerCert() {
			return this.serverCert;
		}

		public void setServerCert(@Nullable String serverCert) {
			this.serverCert = serverCert;
		}

		public @Nullable String getServerKey() {
			return this.serverKey;
		}

		public void setServerKey(@Nullable String serverKey) {
			this.serverKey = serverKey;
		}

		public @Nullable String getHttpMethod() {
			return this.httpMethod;
		}

		public void setHttpMethod(@Nullable String httpMethod) {
			this.httpMethod = httpMethod;
		}

		public @Nullable String getHttpUrl() {
			return this.httpUrl;
		}

		public void setHttpUrl(@Nullable String httpUrl) {
			this.httpUrl = httpUrl;
		}

		public @Nullable Integer getHttpExpect() {
			return this.httpExpect;
		}

		public void setHttpExpect(@Nullable Integer httpExpect) {
			this.httpExpect = httpExpect;
		}

		public Map<Integer, Integer> getHttpRespMap() {
			return this.httpRespMap;
		}

		public void setHttpRespMap(Map<Integer, Integer> httpRespMap) {
			this.httpRespMap = httpRespMap;
		}

		public @Nullable String getHttpAuthHeader() {
			return this.httpAuthHeader;
		}

		public void setHttpAuthHeader(@Nullable String httpAuthHeader) {
			this.httpAuthHeader = httpAuthHeader;
		}

		public @Nullable String getHttpDsnHeader() {
			return this.httpDsnHeader;
		}

		public void setHttpDsnHeader(@Nullable String httpDsnHeader) {
			this.httpDsnHeader = httpDsnHeader;
		}

		public @Nullable String getHttpFwvHeader() {
			return this.httpFwvHeader;
		}

		public void setHttpFwvHeader(@Nullable String httpFwvHeader) {
			this.httpFwvHeader = httpFwvHeader;
		}

		public @Nullable String getHttpDevtypeHeader() {
			return this.httpDevtypeHeader;
		}

		public void setHttpDevtypeHeader(@Nullable String httpDevtypeHeader) {
			this.httpDevtypeHeader = httpDevtypeHeader;
		}

		public @Nullable String getHttpAuthPreamble() {
			return this.httpAuthPreamble;
		}

		public void setHttpAuthPreamble(@Nullable String httpAuthPreamble) {
			this.httpAuthPreamble = httpAuthPreamble;
		}

		public @Nullable Boolean getAuthHexify() {
			return this.authHexify;
		}

		public void setAuthHexify(@Nullable Boolean authHexify) {
			this.authHexify = authHexify;
		}

		public @Nullable Boolean getHttpNoContentLength() {
			return this.httpNoContentLength;
		}

		public void setHttpNoContentLength(@Nullable Boolean httpNoContentLength) {
			this.httpNoContentLength = httpNoContentLength;
		}

		public @Nullable Boolean getNghttp2QuirkEndStream() {
			return this.nghttp2QuirkEndStream;
		}

		public void setNghttp2QuirkEndStream(@Nullable Boolean nghttp2QuirkEndStream) {
			this.nghttp2QuirkEndStream = nghttp2QuirkEndStream;
		}

		public @Nullable Boolean getH2qOflowTxcr() {
			return this.h2qOflowTxcr;
		}

		public void setH2qOflowTxcr(@Nullable Boolean h2qOflowTxcr) {
			this.h2qOflowTxcr = h2qOflowTxcr;
		}

		public @Nullable String getHttpMultipartName() {
			return this.httpMultipartName;
		}

		public void setHttpMultipartName(@Nullable String httpMultipartName) {
			this.httpMultipartName = httpMultipartName;
		}

		public @Nullable String getHttpMultipartFilename() {
			return this.httpMultipartFilename;
		}

		public void setHttpMultipartFilename(@Nullable String httpMultipartFilename) {
			this.httpMultipartFilename = httpMultipartFilename;
		}

		public @Nullable String getHttpMimeContentType() {
			return this.httpMimeContentType;
		}

		public void setHttpMimeContentType(@Nullable String httpMimeContentType) {
			this.httpMimeContentType = httpMimeContentType;
		}

		public @Nullable Boolean getHttpWwwFormUrlencoded() {
			return this.httpWwwFormUrlencoded;
		}

		public void setHttpWwwFormUrlencoded(@Nullable Boolean httpWwwFormUrlencoded) {
			this.httpWwwFormUrlencoded = httpWwwFormUrlencoded;
		}

		public @Nullable Boolean getHttpCookies() {
			return this.httpCookies;
		}

		public void setHttpCookies(@Nullable Boolean httpCookies) {
			this.httpCookies = httpCookies;
		}

		public @Nullable Boolean getHttpFailRedirect() {
			return this.httpFailRedirect;
		}

		public void setHttpFailRedirect(@Nullable Boolean httpFailRedirect) {
			this.httpFailRedirect = httpFailRedirect;
		}

		public @Nullable Boolean getAllowRedirects() {
			return this.allowRedirects;
		}

		public void setAllowRedirects(@Nullable Boolean allowRedirects) {
			this.allowRedirects = allowRedirects;
		}

		public @Nullable Boolean getHttpMultipartSsIn() {
			return this.httpMultipartSsIn;
		}

		public void setHttpMultipartSsIn(@Nullable Boolean httpMultipartSsIn) {
			this.httpMultipartSsIn = httpMultipartSsIn;
		}

		public @Nullable String getWsSubprotocol() {
			return this.wsSubprotocol;
		}

		public void setWsSubprotocol(@Nullable String wsSubprotocol) {
			this.wsSubprotocol = wsSubprotocol;
		}

		public @Nullable Boolean getWsBinary() {
			return this.wsBinary;
		}

		public void setWsBinary(@Nullable Boolean wsBinary) {
			this.wsBinary = wsBinary;
		}

		public @Nullable Boolean getWsPrioritizeReads() {
			return this.wsPrioritizeReads;
		}

		public void setWsPrioritizeReads(@Nullable Boolean wsPrioritizeReads) {
			this.wsPrioritizeReads = wsPrioritizeReads;
		}

		public @Nullable String getMqttTopic() {
			return this.mqttTopic;
		}

		public void setMqttTopic(@Nullable String mqttTopic) {
			this.mqttTopic = mqttTopic;
		}

		public @Nullable String getMqttSubscribe() {
			return this.mqttSubscribe;
		}

		public void setMqttSubscribe(@Nullable String mqttSubscribe) {
			this.mqttSubscribe = mqttSubscribe;
		}

		public @Nullable Integer getMqttQos() {
			return this.mqttQos;
		}

		public void setMqttQos(@Nullable Integer mqttQos) {
			this.mqttQos = mqttQos;
		}

		public @Nullable Boolean getMqttRetain() {
			return this.mqttRetain;
		}

		public void setMqttRetain(@Nullable Boolean mqttRetain) {
			this.mqttRetain = mqttRetain;
		}

		public @Nullable Duration getMqttKeepAlive() {
			return this.mqttKeepAlive;
		}

		public void setMqttKeepAlive(@Nullable Duration mqttKeepAlive) {
			this.mqttKeepAlive = mqttKeepAlive;
		}

		public @Nullable Boolean getMqttCleanStart() {
			return this.mqttCleanStart;
		}

		public void setMqttCleanStart(@Nullable Boolean mqttCleanStart) {
			this.mqttCleanStart = mqttCleanStart;
		}

		public @Nullable String getMqttWillTopic() {
			return this.mqttWillTopic;
		}

		public void setMqttWillTopic(@Nullable String mqttWillTopic) {
			this.mqttWillTopic = mqttWillTopic;
		}

		public @Nullable String getMqttWillMessage() {
			return this.mqttWillMessage;
		}

		public void setMqttWillMessage(@Nullable String mqttWillMessage) {
			this.mqttWillMessage = mqttWillMessage;
		}

		public @Nullable Integer getMqttWillQos() {
			return this.mqttWillQos;
		}

		public void setMqttWillQos(@Nullable Integer mqttWillQos) {
			this.mqttWillQos = mqttWillQos;
		}

		public @Nullable Boolean getMqttWillRetain() {
			return this.mqttWillRetain;
		}

		public void setMqttWillRetain(@Nullable Boolean mqttWillRetain) {
			this.mqttWillRetain = mqttWillRetain;
		}

		public @Nullable String getMqttBirthTopic() {
			return this.mqttBirthTopic;
		}

		public void setMqttBirthTopic(@Nullable String mqttBirthTopic) {
			this.mqttBirthTopic = mqttBirthTopic;
		}

		public @Nullable String getMqttBirthMessage() {
			return this.mqttBirthMessage;
		}

		public void setMqttBirthMessage(@Nullable String mqttBirthMessage) {
			this.mqttBirthMessage = mqttBirthMessage;
		}

		public @Nullable Integer getMqttBirthQos() {
			return this.mqttBirthQos;
		}

		public void setMqttBirthQos(@Nullable Integer mqttBirthQos) {
			this.mqttBirthQos = mqttBirthQos;
		}

		public @Nullable Boolean getMqttBirthRetain() {
			return this.mqttBirthRetain;
		}

		public void setMqttBirthRetain(@Nullable Boolean mqttBirthRetain) {
			this.mqttBirthRetain = mqttBirthRetain;
		}

		public @Nullable Boolean getAwsIot() {
			return this.awsIot;
		}

		public void setAwsIot(@Nullable Boolean awsIot) {
			this.awsIot = awsIot;
		}

		public @Nullable Integer getAttrPriority() {
			return this.attrPriority;
		}

		public void setAttrPriority(@Nullable Integer attrPriority) {
			this.attrPriority = attrPriority;
		}

		public @Nullable Boolean getAttrLowLatency() {
			return this.attrLowLatency;
		}

		public void setAttrLowLatency(@Nullable Boolean attrLowLatency) {
			this.attrLowLatency = attrLowLatency;
		}

		public @Nullable Boolean getAttrHighThroughput() {
			return this.attrHighThroughput;
		}

		public void setAttrHighThroughput(@Nullable Boolean attrHighThroughput) {
			this.attrHighThroughput = attrHighThroughput;
		}

		public @Nullable Boolean getAttrHighReliability() {
			return this.attrHighReliability;
		}

		public void setAttrHighReliability(@Nullable Boolean attrHighReliability) {
			this.attrHighReliability = attrHighReliability;
		}

		public @Nullable Boolean getAttrLowCost() {
			return this.attrLowCost;
		}

		public void setAttrLowCost(@Nullable Boolean attrLowCost) {
			this.attrLowCost = attrLowCost;
		}

		public @Nullable DataSize getProxyBuflen() {
			return this.proxyBuflen;
		}

		public void setProxyBuflen(@Nullable DataSize proxyBuflen) {
			this.proxyBuflen = proxyBuflen;
		}

		public @Nullable DataSize getProxyBuflenRxflowOnAbove() {
			return this.proxyBuflenRxflowOnAbove;
		}

		public void setProxyBuflenRxflowOnAbove(@Nullable DataSize proxyBuflenRxflowOnAbove) {
			this.proxyBuflenRxflowOnAbove = proxyBuflenRxflowOnAbove;
		}

		public @Nullable DataSize getProxyBuflenRxflowOffBelow() {
			return this.proxyBuflenRxflowOffBelow;
		}

		public void setProxyBuflenRxflowOffBelow(@Nullable DataSize proxyBuflenRxflowOffBelow) {
			this.proxyBuflenRxflowOffBelow = proxyBuflenRxflowOffBelow;
		}

		public @Nullable DataSize getClientBuflen() {
			return this.clientBuflen;
		}

		public void setClientBuflen(@Nullable DataSize clientBuflen) {
			this.clientBuflen = clientBuflen;
		}

		public @Nullable DataSize getClientBuflenRxflowOnAbove() {
			return this.clientBuflenRxflowOnAbove;
		}

		public void setClientBuflenRxflowOnAbove(@Nullable DataSize clientBuflenRxflowOnAbove) {
			this.clientBuflenRxflowOnAbove = clientBuflenRxflowOnAbove;
		}

		public @Nullable DataSize getClientBuflenRxflowOffBelow() {
			return this.clientBuflenRxflowOffBelow;
		}

		public void setClientBuflenRxflowOffBelow(@Nullable DataSize clientBuflenRxflowOffBelow) {
			this.clientBuflenRxflowOffBelow = clientBuflenRxflowOffBelow;
		}

	}

	/**
	 * Captive portal detection through a policy-defined streamtype.
	 */
	public static class CaptivePortal {

		/**
		 * Whether to detect at start-up, before the remote policy fetch and handler streams.
		 */
		private boolean detectOnStartup;

		/**
		 * Streamtype the detection uses.
		 */
		private String streamtype = "captive_portal_detect";

		/**
		 * Longest one detection may take.
		 */
		private Duration timeout = Duration.ofSeconds(3);

		public boolean isDetectOnStartup() {
			return this.detectOnStartup;
		}

		public void setDetectOnStartup(boolean detectOnStartup) {
			this.detectOnStartup = detectOnStartup;
		}

		public String getStreamtype() {
			return this.streamtype;
		}

		public void setStreamtype(String streamtype) {
			this.streamtype = streamtype;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * The access token kept in the AUTH blob by exchanging the refresh payload of its slot 1.
	 */
	public static class AccessToken {

		/**
		 * Whether to fetch a token at start-up, after the remote policy fetch and before handler
		 * streams; a token with a lifetime is then renewed before it expires.
		 */
		private boolean fetchOnStartup;

		/**
		 * Streamtype the token is fetched with.
		 */
		private String streamtype = "api_amazon_com_auth";

		/**
		 * Longest one fetch may take.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		public boolean isFetchOnStartup() {
			return this.fetchOnStartup;
		}

		public void setFetchOnStartup(boolean fetchOnStartup) {
			this.fetchOnStartup = fetchOnStartup;
		}

		public String getStreamtype() {
			return this.streamtype;
		}

		public void setStreamtype(String streamtype) {
			this.streamtype = streamtype;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

}
