package io.securestreams.boot;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamInfo;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

/**
 * One streamtype of the policy as a bean, named after the streamtype, so that application code
 * can inject it by name and create streams without repeating the name:
 * <pre>{@code
 * @Autowired @Qualifier("telemetry") SecureStreamType telemetry;
 * ...
 * SecureStream stream = telemetry.create(handler);
 * stream.requestTx();
 * }</pre>
 * The policy of the streamtype is looked up in the context's active policy on every call, so
 * overlays and fetched policies are seen at once.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SecureStreamType {

	private final String name;

	private final Supplier<SecureStreams> streams;

	/**
	 * Creates the bean.
	 * @param name the streamtype name
	 * @param streams supplies the context, resolved on first use
	 */
	public SecureStreamType(String name, Supplier<SecureStreams> streams) {
		this.name = Objects.requireNonNull(name, "name");
		this.streams = Objects.requireNonNull(streams, "streams");
	}

	/**
	 * Returns the streamtype name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Returns the streamtype's policy as it is now.
	 * @return the policy, or {@code null} when the active policy no longer has this streamtype
	 */
	public @Nullable StreamTypePolicy policy() {
		return this.streams.get().policy().streamType(this.name);
	}

	/**
	 * Creates a stream of this type (see {@link SecureStreams#create(String, StreamHandler)}).
	 * @param handler receives the stream's callbacks
	 * @return the stream
	 * @throws io.securestreams.SecureStreamsException if the streamtype cannot be created
	 */
	public SecureStream create(StreamHandler handler) {
		return this.streams.get().create(this.name, handler);
	}

	/**
	 * Creates a stream of this type that gives its peer an initial credit (see
	 * {@link SecureStreams#create(String, StreamHandler, int)}).
	 * @param handler receives the stream's callbacks
	 * @param initialPeerTxCredit the credit in bytes, or 0 for automatic flow control
	 * @return the stream
	 * @throws io.securestreams.SecureStreamsException if the streamtype cannot be created
	 * @throws IllegalArgumentException if the credit is negative
	 */
	public SecureStream create(StreamHandler handler, int initialPeerTxCredit) {
		return this.streams.get().create(this.name, handler, initialPeerTxCredit);
	}

	/**
	 * Returns a snapshot of the live streams of this type.
	 * @return the streams' statistics
	 */
	public List<StreamInfo> streams() {
		return this.streams.get().streams().stream().filter((info) -> info.streamType().equals(this.name)).toList();
	}

	@Override
	public String toString() {
		return "SecureStreamType[" + this.name + "]";
	}

}
