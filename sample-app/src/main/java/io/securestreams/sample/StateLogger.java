package io.securestreams.sample;

import io.securestreams.SecureStream;
import io.securestreams.StreamEventListener;
import io.securestreams.StreamState;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Logs every state change of every stream, so the lifecycle can be followed in the log. Any
 * {@code StreamEventListener} bean is added to the context by the auto-configuration.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Component
class StateLogger implements StreamEventListener {

	private static final Logger logger = LoggerFactory.getLogger(StateLogger.class);

	@Override
	public void stateChanged(SecureStream stream, @Nullable StreamState previous, StreamState state) {
		logger.info("{} #{} ({}): {} -> {}", stream.streamType(), stream.id(), stream.role(),
				(previous != null) ? previous : "-", state);
	}

	@Override
	public void retryScheduled(SecureStream stream, long delayMillis) {
		logger.info("{} #{}: retrying in {} ms", stream.streamType(), stream.id(), delayMillis);
	}

}
