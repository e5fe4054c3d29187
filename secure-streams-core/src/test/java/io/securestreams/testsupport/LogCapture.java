package io.securestreams.testsupport;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

/**
 * Captures the log lines of the {@code io.securestreams} loggers while open, so a test can check
 * that a connection was cut off with a line naming the reason.
 */
public final class LogCapture implements AutoCloseable {

	private final Logger logger = (Logger) LoggerFactory.getLogger("io.securestreams");

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	public LogCapture() {
		this.appender.start();
		this.logger.addAppender(this.appender);
	}

	/**
	 * Returns the formatted messages captured so far.
	 * @return the messages
	 */
	public List<String> messages() {
		return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
	}

	/**
	 * Returns the formatted messages captured so far at WARN or above.
	 * @return the messages
	 */
	public List<String> warnings() {
		return events().stream()
			.filter((event) -> event.getLevel().isGreaterOrEqual(Level.WARN))
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	/**
	 * Returns whether any captured message contains a text.
	 * @param text the text
	 * @return {@code true} when one does
	 */
	public boolean contains(String text) {
		return messages().stream().anyMatch((message) -> message.contains(text));
	}

	@Override
	public void close() {
		this.logger.detachAppender(this.appender);
		this.appender.stop();
	}

	// ListAppender adds under the appender's own lock (AppenderBase.doAppend is synchronized):
	// copying the list without it raced the logging threads.
	private List<ILoggingEvent> events() {
		synchronized (this.appender) {
			return List.copyOf(this.appender.list);
		}
	}

}
