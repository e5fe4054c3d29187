package io.securestreams.sample;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.securestreams.boot.annotation.OnRx;
import io.securestreams.boot.annotation.SecureStreamHandler;
import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;
import io.securestreams.smd.SmdStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Logs the system messages of the built-in {@code _lws_smd} streamtype: network events, such as
 * captive portal results, and system state, such as each policy the application sets (for
 * example an overlay applied through the actuator). No policy entry is needed.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Component
@SecureStreamHandler(value = SmdStream.STREAMTYPE, smdClasses = SmdClass.NETWORK | SmdClass.SYSTEM_STATE)
class SystemMessageLogger {

	private static final Logger logger = LoggerFactory.getLogger(SystemMessageLogger.class);

	private final List<String> received = new CopyOnWriteArrayList<>();

	@OnRx
	void received(byte[] message) {
		SmdMessage decoded = SmdMessage.decode(ByteBuffer.wrap(message));
		logger.info("system message ({}): {}", (decoded.smdClass() == SmdClass.NETWORK) ? "network" : "system state",
				decoded.text());
		this.received.add(decoded.text());
	}

	List<String> received() {
		return List.copyOf(this.received);
	}

}
