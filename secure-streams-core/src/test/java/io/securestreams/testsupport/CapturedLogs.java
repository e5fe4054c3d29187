package io.securestreams.testsupport;

import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.awaitility.Awaitility;
import org.slf4j.LoggerFactory;

/**
 * Captures the log lines of a logger (and its children) while a test runs.
 */
public final class CapturedLogs implements AutoCloseable {

	private final Logger logger;

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	public CapturedLogs(String loggerName) {
		this.logger = (Logger) LoggerFactory.getLogger(loggerName);
		this.appender.start();
		this.logger.addAppender(this.appender);
	}

	/** Returns the formatted messages so far. */
	public List<String> messages() {
		// ListAppender adds under the appender's own lock (AppenderBase.doAppend is synchronized),
		// not the list's: reading under the list's lock raced the logging thread.
		synchronized (this.appender) {
			return this.appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
		}
	}

	/**
	 * Waits for a line containing all the given fragments.
	 * @param fragments the text the line must contain
	 * @return the line
	 */
	public String await(String... fragments) {
		Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> find(fragments) != null);
		return find(fragments);
	}

	private String find(String... fragments) {
		return messages().stream().filter((m) -> java.util.Arrays.stream(fragments).allMatch(m::contains)).findFirst()
			.orElse(null);
	}

	@Override
	public void close() {
		this.logger.detachAppender(this.appender);
	}

}
