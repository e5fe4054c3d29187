package io.securestreams.policy;

import java.util.EnumSet;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The policy of one streamtype: how streams of that type connect and what they may do. Every
 * policy key maps to one component; {@link StreamTypeKey} lists them with their JSON names.
 *
 * @param name the streamtype name
 * @param protocol the wire protocol ({@code protocol})
 * @param endpoint client: host, URL or {@code +/path} / {@code +@name} socket, may contain
 * {@code ${metadata}}; server: interface to bind ({@code endpoint})
 * @param port client: port to connect to, 0 for the protocol default; server: port to listen on,
 * 0 for an ephemeral port ({@code port})
 * @param server whether this streamtype is a listener ({@code server})
 * @param viaSocks5 SOCKS5 proxy {@code host:port} for this streamtype only ({@code via-socks5})
 * @param retry name of the retry scheme; {@code null} means no retries ({@code retry})
 * @param timeoutMs timeout used by {@code startTimeout(0)} ({@code timeout_ms})
 * @param opportunistic whether the connection may stay dropped when unused ({@code opportunistic})
 * @param nailedUp whether to connect at creation ({@code nailed_up})
 * @param urgentTx informational urgency flag ({@code urgent_tx})
 * @param urgentRx informational urgency flag ({@code urgent_rx})
 * @param perf whether connection performance JSON is delivered as rx ({@code perf})
 * @param longPoll whether an h2 stream goes rx-only after headers ({@code long_poll})
 * @param swakeValidity whether validity timers may wake the system ({@code swake_validity})
 * @param localSink whether an in-process sink serves it ({@code local_sink})
 * @param directProtoStr whether raw protocol headers can be set as metadata ({@code direct_proto_str})
 * @param rideshare the next streamtype of a rideshare chain ({@code rideshare})
 * @param payloadFmt payload format hint for applications ({@code payload_fmt})
 * @param useAuth name of the {@code auth} scheme ({@code use_auth})
 * @param awsRegion metadata name holding the AWS region ({@code aws_region})
 * @param awsService metadata name holding the AWS service ({@code aws_service})
 * @param metadata declared metadata, in policy order ({@code metadata})
 * @param options server per-listener options ({@code options})
 * @param tls TLS settings
 * @param http HTTP settings
 * @param ws WebSocket settings
 * @param mqtt MQTT settings
 * @param attributes socket attributes
 * @param buffers proxy buffer sizes
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record StreamTypePolicy(String name, Protocol protocol, @Nullable String endpoint, int port, boolean server,
		@Nullable String viaSocks5, @Nullable String retry, long timeoutMs, boolean opportunistic, boolean nailedUp,
		boolean urgentTx, boolean urgentRx, boolean perf, boolean longPoll, boolean swakeValidity, boolean localSink,
		boolean directProtoStr, @Nullable String rideshare, @Nullable String payloadFmt, @Nullable String useAuth,
		@Nullable String awsRegion, @Nullable String awsService, List<MetadataDeclaration> metadata,
		List<ServerOption> options, TlsSettings tls, HttpSettings http, WsSettings ws, MqttSettings mqtt,
		SocketAttributes attributes, BufferSettings buffers) {

	private static final StreamTypeKey[] KEYS = StreamTypeKey.values();

	/**
	 * Copies the metadata declarations and the server options, unmodifiable.
	 * @param name the streamtype name
	 * @param protocol the wire protocol ({@code protocol})
	 * @param endpoint client: host, URL or {@code +/path} / {@code +@name} socket, may contain
	 * {@code ${metadata}}; server: interface to bind ({@code endpoint})
	 * @param port client: port to connect to, 0 for the protocol default; server: port to listen on,
	 * 0 for an ephemeral port ({@code port})
	 * @param server whether this streamtype is a listener ({@code server})
	 * @param viaSocks5 SOCKS5 proxy {@code host:port} for this streamtype only ({@code via-socks5})
	 * @param retry name of the retry scheme; {@code null} means no retries ({@code retry})
	 * @param timeoutMs timeout used by {@code startTimeout(0)} ({@code timeout_ms})
	 * @param opportunistic whether the connection may stay dropped when unused ({@code opportunistic})
	 * @param nailedUp whether to connect at creation ({@code nailed_up})
	 * @param urgentTx informational urgency flag ({@code urgent_tx})
	 * @param urgentRx informational urgency flag ({@code urgent_rx})
	 * @param perf whether connection performance JSON is delivered as rx ({@code perf})
	 * @param longPoll whether an h2 stream goes rx-only after headers ({@code long_poll})
	 * @param swakeValidity whether validity timers may wake the system ({@code swake_validity})
	 * @param localSink whether an in-process sink serves it ({@code local_sink})
	 * @param directProtoStr whether raw protocol headers can be set as metadata ({@code direct_proto_str})
	 * @param rideshare the next streamtype of a rideshare chain ({@code rideshare})
	 * @param payloadFmt payload format hint for applications ({@code payload_fmt})
	 * @param useAuth name of the {@code auth} scheme ({@code use_auth})
	 * @param awsRegion metadata name holding the AWS region ({@code aws_region})
	 * @param awsService metadata name holding the AWS service ({@code aws_service})
	 * @param metadata declared metadata, in policy order ({@code metadata})
	 * @param options server per-listener options ({@code options})
	 * @param tls TLS settings
	 * @param http HTTP settings
	 * @param ws WebSocket settings
	 * @param mqtt MQTT settings
	 * @param attributes socket attributes
	 * @param buffers proxy buffer sizes
	 */
	public StreamTypePolicy {
		metadata = List.copyOf(metadata);
		options = List.copyOf(options);
	}

	/**
	 * Returns the declaration of a metadata name.
	 * @param metadataName the name
	 * @return the declaration, or {@code null} when the streamtype does not declare it
	 */
	public @Nullable MetadataDeclaration metadata(String metadataName) {
		for (MetadataDeclaration declaration : this.metadata) {
			if (declaration.name().equals(metadataName)) {
				return declaration;
			}
		}
		return null;
	}

	/**
	 * Returns a builder holding every key of this streamtype, for overlays.
	 * @return a new builder
	 */
	public Builder toBuilder() {
		Builder builder = new Builder(this.name);
		for (StreamTypeKey key : StreamTypeKey.values()) {
			Object value = key.get(this);
			if (value != null && !value.equals(key.defaultValue())) {
				builder.set(key, value);
			}
		}
		return builder;
	}

	/**
	 * Creates a builder for a streamtype.
	 * @param name the streamtype name
	 * @return a builder with every key at its default
	 */
	public static Builder builder(String name) {
		return new Builder(name);
	}

	/**
	 * Collects streamtype keys one by one (from JSON, properties or an overlay) and builds the
	 * immutable policy. Only the keys that were set are remembered, which is what an overlay needs.
	 */
	public static final class Builder {

		private final String name;

		// Values by key ordinal, null when not set: builds read every key, and an array is the
		// cheapest map from an enum (large policies build thousands of streamtypes).
		private final @Nullable Object[] values = new Object[KEYS.length];

		// Keys explicitly reset to their default (a JSON null): an overlay must carry the reset
		// over to the base's value, which a plain "not set" would leave alone. Created on the first
		// reset: most builders never see one, and a set of 78 keys needs two words.
		private @Nullable EnumSet<StreamTypeKey> resets;

		// The policy last built, until a key changes: a reader can build a streamtype as soon as
		// it has read it, while its values are still in the CPU caches, and the later merge of
		// the whole policy gets the same immutable instance.
		private @Nullable StreamTypePolicy built;

		Builder(String name) {
			this.name = name;
		}

		/**
		 * Returns the streamtype name.
		 * @return the name
		 */
		public String name() {
			return this.name;
		}

		/**
		 * Sets a key, or resets it to its default when {@code value} is {@code null}. A reset is
		 * remembered: {@link #apply(Builder) applying} this builder over another resets the key
		 * there too, while {@link #isSet(StreamTypeKey)} reports it as not set.
		 * @param key the key
		 * @param value a value of the key's Java type
		 * @return this builder
		 * @throws IllegalArgumentException if the value has the wrong type or is out of range
		 */
		public Builder set(StreamTypeKey key, @Nullable Object value) {
			this.built = null;
			if (value == null) {
				this.values[key.ordinal()] = null;
				resets().add(key);
			}
			else {
				this.values[key.ordinal()] = key.check(value);
				if (this.resets != null) {
					this.resets.remove(key);
				}
			}
			return this;
		}

		/**
		 * Returns whether a key was set on this builder.
		 * @param key the key
		 * @return {@code true} when set
		 */
		public boolean isSet(StreamTypeKey key) {
			return this.values[key.ordinal()] != null;
		}

		/**
		 * Returns the value of a key, or its default.
		 * @param key the key
		 * @return the value
		 */
		public @Nullable Object get(StreamTypeKey key) {
			Object value = this.values[key.ordinal()];
			return (value != null) ? value : key.defaultValue();
		}

		/**
		 * Copies every key set or reset on another builder onto this one (an overlay).
		 * @param overlay the builder whose keys win
		 * @return this builder
		 */
		public Builder apply(Builder overlay) {
			this.built = null;
			if (overlay.resets != null) {
				for (StreamTypeKey reset : overlay.resets) {
					this.values[reset.ordinal()] = null;
					resets().add(reset);
				}
			}
			for (int i = 0; i < KEYS.length; i++) {
				if (overlay.values[i] != null) {
					this.values[i] = overlay.values[i];
					if (this.resets != null) {
						this.resets.remove(KEYS[i]);
					}
				}
			}
			return this;
		}

		private EnumSet<StreamTypeKey> resets() {
			EnumSet<StreamTypeKey> resets = this.resets;
			if (resets == null) {
				resets = EnumSet.noneOf(StreamTypeKey.class);
				this.resets = resets;
			}
			return resets;
		}

		/**
		 * Builds the immutable streamtype policy. Building again without changing a key returns
		 * the same instance.
		 * @return the policy
		 */
		public StreamTypePolicy build() {
			StreamTypePolicy policy = this.built;
			if (policy == null) {
				policy = newPolicy();
				this.built = policy;
			}
			return policy;
		}

		private StreamTypePolicy newPolicy() {
			return StreamTypeRecords.build(this);
		}

	}

}
