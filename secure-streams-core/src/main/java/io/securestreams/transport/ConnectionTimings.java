package io.securestreams.transport;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * What setting up one connection cost, for streamtypes with {@code "perf": true}: the
 * counterpart of libwebsockets' connection monitor ({@code lws_conmon}). The {@link Connector}
 * records the name lookup, the socket connection and the TLS handshake; an http binding records
 * how long the first transaction waited for the start of its response, and its status. Used on
 * the connection's event loop only.
 * <p>
 * {@link #toJson()} gives libwebsockets' document: {@code peer}, {@code dns_us},
 * {@code dns_disp}, {@code sockconn_us}, {@code tls_us}, {@code txn_resp_us}, {@code dns} and,
 * after an http response, {@code prot_specific}. Phases that did not happen are 0.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ConnectionTimings {

	/** {@code dns_disp}: no name was looked up (an address literal, a Unix socket or a proxy). */
	public static final int DNS_NONE = 0;

	/** {@code dns_disp}: the name was resolved. */
	public static final int DNS_OK = 1;

	/** {@code dns_disp}: the lookup gave no usable address. */
	public static final int DNS_NO_RESULT = 3;

	private static final JsonFactory JSON = new JsonFactory();

	private long connectStartNanos;

	private long socketStartNanos;

	private long socketConnectedNanos;

	private long dnsMicros;

	private long sockConnMicros;

	private long tlsMicros;

	private long requestSentNanos;

	private long txnRespMicros;

	private int dnsDisposition = DNS_NONE;

	private List<String> resolved = List.of();

	private int httpStatus;

	private @Nullable String peer;

	private boolean reported;

	/** The connector starts the attempt: the name lookup, if any, starts now. */
	void connectStarted() {
		this.connectStartNanos = System.nanoTime();
		// A later connection of the same report (after a redirect) looks its own name up.
		this.dnsDisposition = DNS_NONE;
		this.dnsMicros = 0;
		this.resolved = List.of();
	}

	/**
	 * The name lookup gave its addresses; the connects to them start now.
	 * @param addresses every address the name has, in the order they are tried
	 */
	void nameResolved(List<? extends SocketAddress> addresses) {
		this.dnsDisposition = DNS_OK;
		this.dnsMicros = micros(this.connectStartNanos, System.nanoTime());
		this.resolved = addresses.stream().map(ConnectionTimings::describe).toList();
	}

	/**
	 * A socket connect starts (one per address tried: the last one is the connection's).
	 * @param remote the address connected to
	 */
	void socketConnecting(SocketAddress remote) {
		this.socketStartNanos = System.nanoTime();
		this.peer = describe(remote);
	}

	/** The name lookup failed. */
	void lookupFailed() {
		this.dnsDisposition = DNS_NO_RESULT;
		this.dnsMicros = micros(this.connectStartNanos, System.nanoTime());
	}

	/** The socket is connected; a TLS handshake, if any, starts now. */
	void socketConnected() {
		this.socketConnectedNanos = System.nanoTime();
		this.sockConnMicros = micros(this.socketStartNanos, this.socketConnectedNanos);
	}

	/** The TLS handshake completed. */
	void tlsEstablished() {
		if (this.socketConnectedNanos != 0) {
			this.tlsMicros = micros(this.socketConnectedNanos, System.nanoTime());
		}
	}

	/**
	 * The connection's first transaction sent its request; later ones are not timed, as in
	 * libwebsockets.
	 */
	public void requestSent() {
		if (this.requestSentNanos == 0) {
			this.requestSentNanos = System.nanoTime();
		}
	}

	/**
	 * The response to the first request started to arrive.
	 * @param status the http status of that response
	 */
	public void responseStarted(int status) {
		if (this.requestSentNanos != 0 && this.httpStatus == 0) {
			this.txnRespMicros = micros(this.requestSentNanos, System.nanoTime());
			this.httpStatus = status;
		}
	}

	/**
	 * Takes the one report of this connection, as {@link #toJson()}.
	 * @return the document the first time after the connector started, {@code null} when there
	 * was no connection to report on or it was taken already
	 */
	public byte @Nullable [] takeReport() {
		if (this.reported || this.connectStartNanos == 0) {
			return null;
		}
		this.reported = true;
		return toJson();
	}

	/**
	 * Returns the timings as libwebsockets' connection monitor JSON, UTF-8.
	 * @return the document
	 */
	public byte[] toJson() {
		ByteArrayOutputStream out = new ByteArrayOutputStream(192);
		try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
			json.writeStartObject();
			json.writeStringProperty("peer", (this.peer != null) ? this.peer : "");
			json.writeNumberProperty("dns_us", this.dnsMicros);
			json.writeNumberProperty("dns_disp", this.dnsDisposition);
			json.writeNumberProperty("sockconn_us", this.sockConnMicros);
			json.writeNumberProperty("tls_us", this.tlsMicros);
			json.writeNumberProperty("txn_resp_us", this.txnRespMicros);
			json.writeName("dns");
			json.writeStartArray();
			for (String address : this.resolved) {
				json.writeString(address);
			}
			json.writeEndArray();
			if (this.httpStatus != 0) {
				json.writeName("prot_specific");
				json.writeStartObject();
				json.writeStringProperty("protocol", "http");
				json.writeNumberProperty("resp", this.httpStatus);
				json.writeEndObject();
			}
			json.writeEndObject();
		}
		return out.toByteArray();
	}

	private static String describe(SocketAddress remote) {
		if (remote instanceof InetSocketAddress inet) {
			return (inet.getAddress() != null) ? NetUtil.toAddressString(inet.getAddress()) : inet.getHostString();
		}
		// A Unix socket: its path (an abstract name starts with a NUL, shown as @).
		return remote.toString().replace('\0', '@');
	}

	private static long micros(long fromNanos, long toNanos) {
		return (fromNanos == 0) ? 0 : Math.max(0, TimeUnit.NANOSECONDS.toMicros(toNanos - fromNanos));
	}

}
