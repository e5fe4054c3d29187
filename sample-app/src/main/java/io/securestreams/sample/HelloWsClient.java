package io.securestreams.sample;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import io.securestreams.StreamFlags;
import io.securestreams.StreamResult;
import io.securestreams.TxSlot;
import io.securestreams.boot.annotation.OnRx;
import io.securestreams.boot.annotation.OnTx;
import io.securestreams.boot.annotation.SecureStreamHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The ws client streamtype {@code hello-ws}: sends a message whenever the {@link SampleDriver}
 * asks, and logs the server's echo.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Component
@SecureStreamHandler(streamtype = "hello-ws", id = HelloWsClient.ID)
class HelloWsClient {

	static final String ID = "hello-ws";

	private static final Logger logger = LoggerFactory.getLogger(HelloWsClient.class);

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong echoes = new AtomicLong();

	@OnTx
	StreamResult send(TxSlot slot) {
		String message = "ping " + this.sent.incrementAndGet();
		slot.write(message.getBytes(StandardCharsets.UTF_8)).flags(StreamFlags.SOM | StreamFlags.EOM);
		return StreamResult.OK;
	}

	@OnRx
	void echo(String message) {
		this.echoes.incrementAndGet();
		logger.info("hello-ws echo: {}", message);
	}

	long echoCount() {
		return this.echoes.get();
	}

}
