package io.securestreams.policy;

import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Every key a streamtype object may hold, with its JSON name, value type, range and default.
 * The JSON reader and writer, overlays, the Spring property mapper and the documentation all
 * work from this one table.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public enum StreamTypeKey {

	/** Client: the host, URL or socket to connect to, may use {@code ${metadata}}; server: where to bind. */
	ENDPOINT("endpoint", ValueType.STRING, StreamTypePolicy::endpoint),
	/** Client: the port to connect to (absent: the protocol's default); server: the port to listen on. */
	PORT("port", 0, 65535, 0, StreamTypePolicy::port),
	/** The wire protocol: {@code h1} (the default), {@code h2}, {@code h3}, {@code ws}, {@code mqtt} or {@code raw}. */
	PROTOCOL("protocol", ValueType.PROTOCOL, StreamTypePolicy::protocol),
	/** The streamtype is a listener, bound where {@code endpoint} and {@code port} say. */
	SERVER("server", ValueType.BOOLEAN, StreamTypePolicy::server),
	/** A SOCKS5 proxy, {@code host:port}, for this streamtype's connections only. */
	VIA_SOCKS5("via-socks5", ValueType.HOST_PORT, StreamTypePolicy::viaSocks5),
	/** The {@code retry} scheme to back off with; without one the first failure is final. */
	RETRY("retry", Reference.RETRY, StreamTypePolicy::retry),
	/** The timeout in milliseconds that {@code startTimeout(0)} starts. */
	TIMEOUT_MS("timeout_ms", 0L, Integer.MAX_VALUE, StreamTypePolicy::timeoutMs),
	/** The connection may stay dropped while the stream does not use it. */
	OPPORTUNISTIC("opportunistic", ValueType.BOOLEAN, StreamTypePolicy::opportunistic),
	/** Connect as soon as the stream is created. */
	NAILED_UP("nailed_up", ValueType.BOOLEAN, StreamTypePolicy::nailedUp),
	/** Informational: the stream's transmissions are urgent. */
	URGENT_TX("urgent_tx", ValueType.BOOLEAN, StreamTypePolicy::urgentTx),
	/** Informational: the stream's receptions are urgent. */
	URGENT_RX("urgent_rx", ValueType.BOOLEAN, StreamTypePolicy::urgentRx),
	/** Deliver each connection's timings as one {@code PERF_JSON} rx when it ends. */
	PERF("perf", ValueType.BOOLEAN, StreamTypePolicy::perf),
	/** h2 clients: end the request once the response headers arrive and go on receiving. */
	LONG_POLL("long_poll", ValueType.BOOLEAN, StreamTypePolicy::longPoll),
	/** Validity timers may wake the system from suspend (not applied here). */
	SWAKE_VALIDITY("swake_validity", ValueType.BOOLEAN, StreamTypePolicy::swakeValidity),
	/** Served by an in-process sink instead of a connection. */
	LOCAL_SINK("local_sink", ValueType.BOOLEAN, StreamTypePolicy::localSink),
	/** Protocol headers can be set and read as metadata by their name with its colon. */
	DIRECT_PROTO_STR("direct_proto_str", ValueType.BOOLEAN, StreamTypePolicy::directProtoStr),
	/** The next streamtype of a rideshare chain, whose part follows in the same request body. */
	RIDESHARE("rideshare", Reference.STREAMTYPE, StreamTypePolicy::rideshare),
	/** A payload format hint for the application; kept in the model only. */
	PAYLOAD_FMT("payload_fmt", ValueType.STRING, StreamTypePolicy::payloadFmt),
	/** The {@code auth} scheme the streamtype's requests are signed with. */
	USE_AUTH("use_auth", Reference.AUTH, StreamTypePolicy::useAuth),
	/** The metadata name holding the AWS region, for sigv4 signing. */
	AWS_REGION("aws_region", Reference.METADATA_NAME, StreamTypePolicy::awsRegion),
	/** The metadata name holding the AWS service, for sigv4 signing. */
	AWS_SERVICE("aws_service", Reference.METADATA_NAME, StreamTypePolicy::awsService),
	/** The metadata names, in order, each mapped to a protocol header or to none. */
	METADATA("metadata", ValueType.METADATA, StreamTypePolicy::metadata),
	/** Server: per-listener protocol options, kept as text. */
	OPTIONS("options", ValueType.OPTIONS, StreamTypePolicy::options),

	/** Use TLS. */
	TLS("tls", ValueType.BOOLEAN, (s) -> s.tls().enabled()),
	/** The trust store whose CAs validate the server; absent, the JVM's default trust store. */
	TLS_TRUST_STORE("tls_trust_store", Reference.TRUST_STORE, (s) -> s.tls().trustStore()),
	/** The index of the client certificate in the system blobs. */
	CLIENT_CERT("client_cert", 0, 254, null, (s) -> s.tls().clientCert()),
	/** Server: the TLS certificate, a {@code certs} name. */
	SERVER_CERT("server_cert", Reference.CERTIFICATE, (s) -> s.tls().serverCert()),
	/** Server: the private key of {@code server_cert}, a {@code certs} name. */
	SERVER_KEY("server_key", Reference.PRIVATE_KEY, (s) -> s.tls().serverKey()),

	/** The request method, such as {@code GET} or {@code POST}. */
	HTTP_METHOD("http_method", ValueType.HTTP_TOKEN, (s) -> s.http().method()),
	/** The URL path, may use {@code ${metadata}}; the leading {@code /} is optional. */
	HTTP_URL("http_url", ValueType.STRING, (s) -> s.http().url()),
	/** The only response status that counts as success; absent, any 2xx. */
	HTTP_EXPECT("http_expect", 100, 599, null, (s) -> s.http().expect()),
	/** Reports HTTP response statuses as the stream states the map gives. */
	HTTP_RESP_MAP("http_resp_map", ValueType.RESPONSE_MAP, (s) -> s.http().responseMap()),
	/** The header carrying the auth token from the system blobs. */
	HTTP_AUTH_HEADER("http_auth_header", ValueType.HEADER_NAME, (s) -> s.http().authHeader()),
	/** The header carrying the device serial number. */
	HTTP_DSN_HEADER("http_dsn_header", ValueType.HEADER_NAME, (s) -> s.http().dsnHeader()),
	/** The header carrying the firmware version. */
	HTTP_FWV_HEADER("http_fwv_header", ValueType.HEADER_NAME, (s) -> s.http().fwvHeader()),
	/** The header carrying the device type. */
	HTTP_DEVTYPE_HEADER("http_devtype_header", ValueType.HEADER_NAME, (s) -> s.http().devtypeHeader()),
	/** Text sent before the auth token, such as {@code "Bearer "}. */
	HTTP_AUTH_PREAMBLE("http_auth_preamble", ValueType.STRING, (s) -> s.http().authPreamble()),
	/** Send the auth token as hex. */
	AUTH_HEXIFY("auth_hexify", ValueType.BOOLEAN, (s) -> s.http().authHexify()),
	/** Send no {@code content-length} for the length given to {@code requestTxLen}. */
	HTTP_NO_CONTENT_LENGTH("http_no_content_length", ValueType.BOOLEAN, (s) -> s.http().noContentLength()),
	/** The h2 peer answers only after {@code END_STREAM} (always satisfied here). */
	NGHTTP2_QUIRK_END_STREAM("nghttp2_quirk_end_stream", ValueType.BOOLEAN, (s) -> s.http().nghttp2QuirkEndStream()),
	/** h2 clients: tolerate a server whose WINDOW_UPDATEs overflow the tx credit. */
	H2Q_OFLOW_TXCR("h2q_oflow_txcr", ValueType.BOOLEAN, (s) -> s.http().h2QuirkOverflowTxCredit()),
	/** Send the body as multipart with this part name. */
	HTTP_MULTIPART_NAME("http_multipart_name", ValueType.STRING, (s) -> s.http().multipartName()),
	/** The filename of the multipart part. */
	HTTP_MULTIPART_FILENAME("http_multipart_filename", ValueType.STRING, (s) -> s.http().multipartFilename()),
	/** The content type of the multipart part. */
	HTTP_MIME_CONTENT_TYPE("http_mime_content_type", ValueType.STRING, (s) -> s.http().mimeContentType()),
	/** Send the body as {@code x-www-form-urlencoded}. */
	HTTP_WWW_FORM_URLENCODED("http_www_form_urlencoded", ValueType.BOOLEAN, (s) -> s.http().wwwFormUrlencoded()),
	/** Keep the cookies servers set and send them back, from one jar per context. */
	HTTP_COOKIES("http_cookies", ValueType.BOOLEAN, (s) -> s.http().cookies()),
	/** A redirect fails the transaction (for captive portal detection). */
	HTTP_FAIL_REDIRECT("http_fail_redirect", ValueType.BOOLEAN, (s) -> s.http().failRedirect()),
	/** Follow redirects instead of rejecting them. */
	ALLOW_REDIRECTS("allow_redirects", ValueType.BOOLEAN, (s) -> s.http().allowRedirects()),
	/** h1 and h2 clients: deliver a multipart response part by part. */
	HTTP_MULTIPART_SS_IN("http_multipart_ss_in", ValueType.BOOLEAN, (s) -> s.http().multipartIn()),

	/** Client: the subprotocols to request; server: the subprotocols to accept. */
	WS_SUBPROTOCOL("ws_subprotocol", ValueType.HTTP_TOKEN_LIST, (s) -> s.ws().subprotocol()),
	/** Send binary frames rather than text ones. */
	WS_BINARY("ws_binary", ValueType.BOOLEAN, (s) -> s.ws().binary()),
	/** Favour reading over writing latency. */
	WS_PRIORITIZE_READS("ws_prioritize_reads", ValueType.BOOLEAN, (s) -> s.ws().prioritizeReads()),

	/** The publish topic, may use {@code ${metadata}}. */
	MQTT_TOPIC("mqtt_topic", ValueType.STRING, (s) -> s.mqtt().topic()),
	/** The topic to subscribe to. */
	MQTT_SUBSCRIBE("mqtt_subscribe", ValueType.STRING, (s) -> s.mqtt().subscribe()),
	/** The QoS of publish and subscribe. */
	MQTT_QOS("mqtt_qos", 0, 2, 0, (s) -> s.mqtt().qos()),
	/** Retain published messages. */
	MQTT_RETAIN("mqtt_retain", ValueType.BOOLEAN, (s) -> s.mqtt().retain()),
	/** The CONNECT keep-alive in seconds; absent, 60; 0 turns it off. */
	MQTT_KEEP_ALIVE("mqtt_keep_alive", 0, 65535, null, (s) -> s.mqtt().keepAlive()),
	/** Ask the broker for a clean start. */
	MQTT_CLEAN_START("mqtt_clean_start", ValueType.BOOLEAN, (s) -> s.mqtt().cleanStart()),
	/** The topic of the will message. */
	MQTT_WILL_TOPIC("mqtt_will_topic", ValueType.STRING, (s) -> s.mqtt().will().topic()),
	/** The content of the will message. */
	MQTT_WILL_MESSAGE("mqtt_will_message", ValueType.STRING, (s) -> s.mqtt().will().message()),
	/** The QoS of the will message. */
	MQTT_WILL_QOS("mqtt_will_qos", 0, 2, 0, (s) -> s.mqtt().will().qos()),
	/** The retain flag of the will message. */
	MQTT_WILL_RETAIN("mqtt_will_retain", ValueType.BOOLEAN, (s) -> s.mqtt().will().retain()),
	/** The topic of the birth message, published once after connecting. */
	MQTT_BIRTH_TOPIC("mqtt_birth_topic", ValueType.STRING, (s) -> s.mqtt().birth().topic()),
	/** The content of the birth message. */
	MQTT_BIRTH_MESSAGE("mqtt_birth_message", ValueType.STRING, (s) -> s.mqtt().birth().message()),
	/** The QoS of the birth message. */
	MQTT_BIRTH_QOS("mqtt_birth_qos", 0, 2, 0, (s) -> s.mqtt().birth().qos()),
	/** The retain flag of the birth message. */
	MQTT_BIRTH_RETAIN("mqtt_birth_retain", ValueType.BOOLEAN, (s) -> s.mqtt().birth().retain()),
	/** Apply AWS IoT's topic limits, ALPN and device-shadow handling. */
	AWS_IOT("aws_iot", ValueType.BOOLEAN, (s) -> s.mqtt().awsIot()),

	/** The socket priority ({@code SO_PRIORITY}) of every client socket. */
	ATTR_PRIORITY("attr_priority", 0, 7, null, (s) -> s.attributes().priority()),
	/** Set the IP ToS low delay bit. */
	ATTR_LOW_LATENCY("attr_low_latency", ValueType.BOOLEAN, (s) -> s.attributes().lowLatency()),
	/** Set the IP ToS high throughput bit. */
	ATTR_HIGH_THROUGHPUT("attr_high_throughput", ValueType.BOOLEAN, (s) -> s.attributes().highThroughput()),
	/** Set the IP ToS high reliability bit. */
	ATTR_HIGH_RELIABILITY("attr_high_reliability", ValueType.BOOLEAN, (s) -> s.attributes().highReliability()),
	/** Set the IP ToS low cost bit. */
	ATTR_LOW_COST("attr_low_cost", ValueType.BOOLEAN, (s) -> s.attributes().lowCost()),

	/** The bytes the proxy buffers for a stream; 0 means 32768. */
	PROXY_BUFLEN("proxy_buflen", 0L, 0xFFFF_FFFFL, (s) -> s.buffers().proxyBuflen()),
	/** The proxy stops reading the onward connection above this many buffered bytes. */
	PROXY_BUFLEN_RXFLOW_ON_ABOVE("proxy_buflen_rxflow_on_above", 0L, 0xFFFF_FFFFL,
			(s) -> s.buffers().proxyRxflowOnAbove()),
	/** The proxy reads the onward connection again below this many buffered bytes. */
	PROXY_BUFLEN_RXFLOW_OFF_BELOW("proxy_buflen_rxflow_off_below", 0L, 0xFFFF_FFFFL,
			(s) -> s.buffers().proxyRxflowOffBelow()),
	/** The buffer size advertised to the proxy client; 0 means 32768. */
	CLIENT_BUFLEN("client_buflen", 0L, 0xFFFF_FFFFL, (s) -> s.buffers().clientBuflen()),
	/** Accepted and kept, but not used, as in libwebsockets. */
	CLIENT_BUFLEN_RXFLOW_ON_ABOVE("client_buflen_rxflow_on_above", 0L, 0xFFFF_FFFFL,
			(s) -> s.buffers().clientRxflowOnAbove()),
	/** Accepted and kept, but not used, as in libwebsockets. */
	CLIENT_BUFLEN_RXFLOW_OFF_BELOW("client_buflen_rxflow_off_below", 0L, 0xFFFF_FFFFL,
			(s) -> s.buffers().clientRxflowOffBelow());

	/** The Java and JSON shape of a key's value. */
	public enum ValueType {

		/** {@code true} or {@code false}. */
		BOOLEAN,
		/** Any string. */
		STRING,
		/** An HTTP token such as a method. */
		HTTP_TOKEN,
		/** One HTTP token, or several separated by commas, such as a list of subprotocol names. */
		HTTP_TOKEN_LIST,
		/** A header name, usually with its trailing colon, such as {@code authorization:}. */
		HEADER_NAME,
		/** An {@link Integer} within the key's range. */
		INTEGER,
		/** A {@link Long} within the key's range. */
		LONG,
		/** A {@link Protocol}. */
		PROTOCOL,
		/** A {@code host:port} address. */
		HOST_PORT,
		/** A list of {@link MetadataDeclaration}. */
		METADATA,
		/** A list of {@link HttpResponseMapping}. */
		RESPONSE_MAP,
		/** A list of {@link ServerOption}. */
		OPTIONS

	}

	/** What a reference-valued key must name. */
	public enum Reference {

		/** An entry of {@code retry}. */
		RETRY("retry scheme"),
		/** An entry of {@code trust_stores}. */
		TRUST_STORE("trust store"),
		/** An entry of {@code auth}. */
		AUTH("auth scheme"),
		/** A certificate in {@code certs}. */
		CERTIFICATE("certificate"),
		/** A private key in {@code certs}. */
		PRIVATE_KEY("private key"),
		/** A streamtype in {@code s}. */
		STREAMTYPE("streamtype"),
		/** A metadata name declared by the same streamtype. */
		METADATA_NAME("metadata name");

		private final String description;

		Reference(String description) {
			this.description = description;
		}

		/**
		 * Returns a short description for messages.
		 * @return for example {@code trust store}
		 */
		public String description() {
			return this.description;
		}

	}

	// Open addressing by name hash: a JSON reader looks up every key of every streamtype, and this
	// is about twice as fast as a HashMap (no node to follow, names usually found at the first slot).
	private static final int TABLE_MASK = 255;

	private static final String[] TABLE_NAMES = new String[TABLE_MASK + 1];

	private static final StreamTypeKey[] TABLE_KEYS = new StreamTypeKey[TABLE_MASK + 1];

	static {
		for (StreamTypeKey key : values()) {
			int slot = slot(key.jsonName);
			while (TABLE_NAMES[slot] != null) {
				slot = (slot + 1) & TABLE_MASK;
			}
			TABLE_NAMES[slot] = key.jsonName;
			TABLE_KEYS[slot] = key;
		}
	}

	private final String jsonName;

	private final ValueType type;

	private final @Nullable Reference reference;

	private final long min;

	private final long max;

	private final @Nullable Object defaultValue;

	private final Function<StreamTypePolicy, @Nullable Object> getter;

	StreamTypeKey(String jsonName, ValueType type, Function<StreamTypePolicy, @Nullable Object> getter) {
		this(jsonName, type, null, 0, 0, defaultFor(type), getter);
	}

	StreamTypeKey(String jsonName, Reference reference, Function<StreamTypePolicy, @Nullable Object> getter) {
		this(jsonName, ValueType.STRING, reference, 0, 0, null, getter);
	}

	StreamTypeKey(String jsonName, int min, int max, @Nullable Integer defaultValue,
			Function<StreamTypePolicy, @Nullable Object> getter) {
		this(jsonName, ValueType.INTEGER, null, min, max, defaultValue, getter);
	}

	StreamTypeKey(String jsonName, long min, long max, Function<StreamTypePolicy, @Nullable Object> getter) {
		this(jsonName, ValueType.LONG, null, min, max, 0L, getter);
	}

	StreamTypeKey(String jsonName, ValueType type, @Nullable Reference reference, long min, long max,
			@Nullable Object defaultValue, Function<StreamTypePolicy, @Nullable Object> getter) {
		this.jsonName = jsonName;
		this.type = type;
		this.reference = reference;
		this.min = min;
		this.max = max;
		this.defaultValue = defaultValue;
		this.getter = getter;
	}

	private static @Nullable Object defaultFor(ValueType type) {
		return switch (type) {
			case BOOLEAN -> Boolean.FALSE;
			case PROTOCOL -> Protocol.H1;
			case METADATA, RESPONSE_MAP, OPTIONS -> List.of();
			default -> null;
		};
	}

	/**
	 * Returns the key's name in policy JSON.
	 * @return for example {@code tls_trust_store}
	 */
	public String jsonName() {
		return this.jsonName;
	}

	/**
	 * Returns the value type.
	 * @return the type
	 */
	public ValueType type() {
		return this.type;
	}

	/**
	 * Returns what the key refers to, for reference-valued keys.
	 * @return the reference kind, or {@code null} for plain values
	 */
	public @Nullable Reference reference() {
		return this.reference;
	}

	/**
	 * Returns the smallest allowed value of a numeric key.
	 * @return the minimum
	 */
	public long min() {
		return this.min;
	}

	/**
	 * Returns the largest allowed value of a numeric key.
	 * @return the maximum
	 */
	public long max() {
		return this.max;
	}

	/**
	 * Returns the value a streamtype has when the key is absent.
	 * @return the default, {@code null} for optional values
	 */
	public @Nullable Object defaultValue() {
		return this.defaultValue;
	}

	/**
	 * Reads this key's value from a streamtype policy.
	 * @param policy the streamtype
	 * @return the value, boxed
	 */
	public @Nullable Object get(StreamTypePolicy policy) {
		return this.getter.apply(policy);
	}

	/**
	 * Checks a value's Java type and range and normalizes numbers to the key's type.
	 * @param value the candidate value
	 * @return the value to store
	 * @throws IllegalArgumentException with a message saying what was expected
	 */
	public Object check(Object value) {
		return StreamTypeValues.check(this, value);
	}

	/**
	 * Looks a key up by its JSON name.
	 * @param jsonName the name, for example {@code http_url}
	 * @return the key, or {@code null} when the name is not a streamtype key
	 */
	public static @Nullable StreamTypeKey fromJsonName(String jsonName) {
		for (int slot = slot(jsonName);; slot = (slot + 1) & TABLE_MASK) {
			String name = TABLE_NAMES[slot];
			if (name == null) {
				return null;
			}
			if (name.equals(jsonName)) {
				return TABLE_KEYS[slot];
			}
		}
	}

	private static int slot(String name) {
		int hash = name.hashCode();
		return (hash ^ (hash >>> 8) ^ (hash >>> 16)) & TABLE_MASK;
	}

}
