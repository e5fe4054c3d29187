package io.securestreams.sample;

import java.util.concurrent.atomic.AtomicLong;

import io.securestreams.StreamFlags;
import io.securestreams.boot.annotation.Flags;
import io.securestreams.boot.annotation.Metadata;
import io.securestreams.boot.annotation.OnRx;
import io.securestreams.boot.annotation.OnState;
import io.securestreams.boot.annotation.SecureStreamHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The h1 client streamtype {@code hello-get}: each transaction the {@link SampleDriver} asks for
 * is a GET whose body is logged.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Component
@SecureStreamHandler(streamtype = "hello-get", id = HelloGetClient.ID)
class HelloGetClient {

	static final String ID = "hello-get";

	private static final Logger logger = LoggerFactory.getLogger(HelloGetClient.class);

	private final StringBuilder body = new StringBuilder();

	private final AtomicLong acknowledged = new AtomicLong();

	@OnRx
	void received(String chunk, @Flags int flags, @Metadata("mime") @Nullable String mime) {
		if (StreamFlags.has(flags, StreamFlags.SOM)) {
			this.body.setLength(0);
		}
		this.body.append(chunk);
		if (StreamFlags.has(flags, StreamFlags.EOM)) {
			logger.info("hello-get received ({}): {}", mime, this.body.toString().strip());
		}
	}

	@OnState("QOS_ACK_REMOTE")
	void acknowledged() {
		this.acknowledged.incrementAndGet();
	}

	long acknowledgedCount() {
		return this.acknowledged.get();
	}

}
