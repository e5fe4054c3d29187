package io.securestreams.boot.config;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.StreamHandler;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.smd.SmdStream;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The streams of one handler endpoint: on {@link #start()} it creates the listener of a server
 * streamtype, or {@code count} client streams (then applies the endpoint's start action); on
 * {@link #stop()} it destroys them.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class SecureStreamHandlerContainer {

	private static final Log logger = LogFactory.getLog(SecureStreamHandlerContainer.class);

	private final MethodSecureStreamHandlerEndpoint endpoint;

	private final StreamHandler handler;

	private final Supplier<SecureStreams> streams;

	private final List<SecureStream> created = new ArrayList<>();

	private boolean running;

	SecureStreamHandlerContainer(MethodSecureStreamHandlerEndpoint endpoint, StreamHandler handler,
			Supplier<SecureStreams> streams) {
		this.endpoint = endpoint;
		this.handler = handler;
		this.streams = streams;
	}

	/**
	 * Returns the endpoint id.
	 * @return the id
	 */
	public String getId() {
		return this.endpoint.id();
	}

	/**
	 * Returns the endpoint.
	 * @return the endpoint
	 */
	public MethodSecureStreamHandlerEndpoint getEndpoint() {
		return this.endpoint;
	}

	/**
	 * Creates the streams, unless already running.
	 * @throws SecureStreamsException if a stream cannot be created, for example because the
	 * streamtype left the policy or a listener cannot bind its port
	 */
	public synchronized void start() {
		if (this.running) {
			return;
		}
		SecureStreams context = this.streams.get();
		StreamTypePolicy policy = context.policy().streamType(this.endpoint.streamType());
		// In proxied mode the policy is at the proxy: the streamtype is taken as a client one.
		boolean server = policy != null && policy.server();
		int count = server ? 1 : this.endpoint.count();
		try {
			for (int i = 0; i < count; i++) {
				SecureStream stream = SmdStream.STREAMTYPE.equals(this.endpoint.streamType())
						? context.createSmd(this.endpoint.smdClasses(), this.handler)
						: context.create(this.endpoint.streamType(), this.handler, this.endpoint.initialPeerTxCredit());
				this.created.add(stream);
				if (!server) {
					switch (this.endpoint.start()) {
						case REQUEST_TX -> stream.requestTx();
						case CONNECT -> stream.connect();
						case NONE -> {
						}
					}
				}
			}
		}
		catch (SecureStreamsException ex) {
			destroyCreated();
			throw new SecureStreamsException("Cannot create the streams of " + this.endpoint.description()
					+ " for streamtype '" + this.endpoint.streamType() + "': " + ex.getMessage(), ex);
		}
		this.running = true;
		logger.debug("Started " + count + " stream(s) of '" + this.endpoint.streamType() + "' for "
				+ this.endpoint.description());
	}

	/**
	 * Destroys the streams this container created (and so the connections a listener accepted).
	 * Their DESTROYING states reach the handler afterwards, on their event loops; see
	 * {@link #stopAsync()} to wait for them.
	 */
	public void stop() {
		stopAsync();
	}

	/**
	 * Destroys the streams this container created (and so the connections a listener accepted).
	 * @return a stage that completes once every one of them has been destroyed and has left the
	 * context, DESTROYING delivered to the handler; it never completes exceptionally
	 */
	public synchronized CompletableFuture<Void> stopAsync() {
		List<CompletableFuture<Void>> destroyed = new ArrayList<>();
		for (SecureStream stream : this.created) {
			destroyed.add(stream.whenDestroyed().toCompletableFuture());
			stream.acceptedStreams()
				.forEach((accepted) -> destroyed.add(accepted.whenDestroyed().toCompletableFuture()));
		}
		destroyCreated();
		this.running = false;
		return CompletableFuture.allOf(destroyed.toArray(CompletableFuture[]::new));
	}

	private void destroyCreated() {
		this.created.forEach(SecureStream::destroy);
		this.created.clear();
	}

	/**
	 * Returns whether the streams are created.
	 * @return {@code true} between {@link #start()} and {@link #stop()}
	 */
	public synchronized boolean isRunning() {
		return this.running;
	}

	/**
	 * Returns the live streams: the ones created (client streams or the listener) and the
	 * connections a listener accepted.
	 * @return the streams
	 */
	public synchronized List<SecureStream> getStreams() {
		SecureStreams context = this.streams.get();
		List<SecureStream> live = new ArrayList<>();
		for (SecureStream stream : this.created) {
			if (context.stream(stream.id()) != null) {
				live.add(stream);
				live.addAll(stream.acceptedStreams());
			}
		}
		return live;
	}

}
