package io.securestreams.boot.handler;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.SecureStream;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;
import org.springframework.messaging.support.MessageBuilder;

/**
 * A {@link StreamHandler} that turns each callback into a {@link Message} and invokes the
 * matching handler methods. One instance serves every stream of a handler endpoint (client
 * streams and the connections a listener accepts).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class MethodStreamHandler implements StreamHandler {

	/** Largest message collected for a JSON-mapped {@code @OnRx} parameter. */
	public static final int MAX_MAPPED_MESSAGE = 4 * 1024 * 1024;

	private static final Log logger = LogFactory.getLog(MethodStreamHandler.class);

	private static final byte[] EMPTY = new byte[0];

	private final List<StateMethod> stateMethods;

	private final @Nullable InvocableHandlerMethod rxMethod;

	private final boolean rxWholeMessages;

	private final @Nullable TextChunks rxText;

	private final @Nullable InvocableHandlerMethod txMethod;

	// What collect() answers for a message beyond MAX_MAPPED_MESSAGE (compared by identity).
	private static final byte[] OVERSIZED = new byte[0];

	private final Map<Long, ByteArrayOutputStream> partialMessages = new ConcurrentHashMap<>();

	/**
	 * Creates the handler.
	 * @param stateMethods the {@code @OnState} methods in declaration order
	 * @param rxMethod the {@code @OnRx} method, if any
	 * @param rxWholeMessages whether rx chunks are collected into whole messages (JSON-mapped
	 * payload)
	 * @param rxText whether the {@code @OnRx} method takes each chunk as a {@code String}, so that
	 * chunks are delivered on UTF-8 character boundaries
	 * @param txMethod the {@code @OnTx} method, if any
	 */
	public MethodStreamHandler(List<StateMethod> stateMethods, @Nullable InvocableHandlerMethod rxMethod,
			boolean rxWholeMessages, boolean rxText, @Nullable InvocableHandlerMethod txMethod) {
		this.stateMethods = List.copyOf(stateMethods);
		this.rxMethod = rxMethod;
		this.rxWholeMessages = rxWholeMessages;
		this.rxText = rxText ? new TextChunks() : null;
		this.txMethod = txMethod;
	}

	@Override
	public StreamResult onState(SecureStream stream, StreamState state, long ack) {
		if (state == StreamState.DESTROYING) {
			this.partialMessages.remove(stream.id());
			if (this.rxText != null) {
				this.rxText.forget(stream.id());
			}
		}
		StreamResult result = StreamResult.OK;
		for (StateMethod method : this.stateMethods) {
			if (method.accepts(state)) {
				Map<String, Object> headers = headers(stream, state);
				headers.put(SecureStreamHeaders.ACK, ack);
				result = stronger(result, invoke(method.method(), MessageBuilder.createMessage(EMPTY,
						new MessageHeaders(headers)), stream, StreamResult.OK));
			}
		}
		return result;
	}

	@Override
	public StreamResult onRx(SecureStream stream, ByteBuffer payload, int flags) {
		InvocableHandlerMethod method = this.rxMethod;
		if (method == null) {
			return StreamResult.OK;
		}
		byte[] bytes = new byte[payload.remaining()];
		payload.get(bytes);
		int deliveredFlags = flags;
		if (this.rxWholeMessages) {
			bytes = collect(stream, bytes, flags);
			if (bytes == null) {
				return StreamResult.OK;
			}
			if (bytes == OVERSIZED) {
				logger.error("Message on stream " + describe(stream) + " exceeds " + MAX_MAPPED_MESSAGE
						+ " bytes; disconnecting");
				return StreamResult.DISCONNECT_ME;
			}
			deliveredFlags = flags | StreamFlags.SOM | StreamFlags.EOM;
		}
		else if (this.rxText != null) {
			bytes = this.rxText.complete(stream.id(), bytes, flags);
		}
		Map<String, Object> headers = headers(stream, stream.state());
		headers.put(SecureStreamHeaders.FLAGS, deliveredFlags);
		return invoke(method, MessageBuilder.createMessage(bytes, new MessageHeaders(headers)), stream,
				StreamResult.OK);
	}

	/**
	 * Adds a chunk to the stream's message; returns the whole message at EOM when not empty, or
	 * {@link #OVERSIZED} as soon as it grows beyond {@link #MAX_MAPPED_MESSAGE}.
	 */
	private byte @Nullable [] collect(SecureStream stream, byte[] chunk, int flags) {
		ByteArrayOutputStream message = StreamFlags.has(flags, StreamFlags.SOM) ? new ByteArrayOutputStream()
				: this.partialMessages.computeIfAbsent(stream.id(), (id) -> new ByteArrayOutputStream());
		this.partialMessages.put(stream.id(), message);
		message.writeBytes(chunk);
		if (message.size() > MAX_MAPPED_MESSAGE) {
			// The stream is disconnected: nothing of the message is kept or copied.
			this.partialMessages.remove(stream.id());
			return OVERSIZED;
		}
		if (!StreamFlags.has(flags, StreamFlags.EOM)) {
			return null;
		}
		this.partialMessages.remove(stream.id());
		return (message.size() > 0) ? message.toByteArray() : null;
	}

	@Override
	public StreamResult onTx(SecureStream stream, TxSlot slot) {
		InvocableHandlerMethod method = this.txMethod;
		if (method == null) {
			return StreamResult.TX_DONT_SEND;
		}
		Map<String, Object> headers = headers(stream, stream.state());
		headers.put(SecureStreamHeaders.TX_SLOT, slot);
		return invoke(method, MessageBuilder.createMessage(EMPTY, new MessageHeaders(headers)), stream,
				StreamResult.OK);
	}

	private static Map<String, Object> headers(SecureStream stream, @Nullable StreamState state) {
		Map<String, Object> headers = new HashMap<>(8);
		headers.put(SecureStreamHeaders.STREAM, stream);
		headers.put(SecureStreamHeaders.STREAM_TYPE, stream.streamType());
		headers.put(SecureStreamHeaders.STREAM_ID, stream.id());
		if (state != null) {
			headers.put(SecureStreamHeaders.STATE, state);
		}
		return headers;
	}

	private static StreamResult invoke(InvocableHandlerMethod method, Message<?> message, SecureStream stream,
			StreamResult voidResult) {
		try {
			Object result = method.invoke(message);
			return (result instanceof StreamResult streamResult) ? streamResult : voidResult;
		}
		catch (Exception ex) {
			logger.error("Handler method " + method.getShortLogMessage() + " failed for stream " + describe(stream)
					+ "; disconnecting", ex);
			return StreamResult.DISCONNECT_ME;
		}
	}

	private static String describe(SecureStream stream) {
		return stream.streamType() + "#" + stream.id();
	}

	private static StreamResult stronger(StreamResult current, StreamResult next) {
		return (severity(next) > severity(current)) ? next : current;
	}

	private static int severity(StreamResult result) {
		return switch (result) {
			case DESTROY_ME -> 3;
			case DISCONNECT_ME -> 2;
			default -> 0;
		};
	}

	/**
	 * An {@code @OnState} method with the states it receives.
	 *
	 * @param method the invocable method
	 * @param states the state names it receives; empty for all
	 */
	public record StateMethod(InvocableHandlerMethod method, Set<String> states) {

		/**
		 * Copies the state names, unmodifiable.
		 * @param method the invocable method
		 * @param states the state names it receives; empty for all
		 */
		public StateMethod {
			states = Set.copyOf(states);
		}

		boolean accepts(StreamState state) {
			return this.states.isEmpty() || this.states.contains(state.name());
		}

	}

}
