package io.securestreams.proxy;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.securestreams.SecureStreams;
import io.securestreams.SecureStreamsException;
import io.securestreams.connectivity.CaptivePortalDetector;
import io.securestreams.policy.PolicyException;
import io.securestreams.policy.json.ParsedPolicy;
import io.securestreams.policy.json.PolicyParser;
import org.jspecify.annotations.Nullable;

/**
 * The runnable Secure Streams proxy ({@code ss-proxy.jar}), the counterpart of libwebsockets'
 * {@code lws-minimal-secure-streams-proxy}:
 * <pre>
 * java -jar ss-proxy.jar --policy FILE [--uds PATH | --abstract NAME | --tcp HOST:PORT]
 * </pre>
 * It listens on {@code @proxy.ss.lws} by default, logs where, and stops cleanly on SIGTERM or
 * Ctrl-C.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ProxyMain {

	static {
		if (System.getProperty("logback.configurationFile") == null) {
			System.setProperty("logback.configurationFile", "io/securestreams/proxy/ss-proxy-logback.xml");
		}
	}

	private ProxyMain() {
	}

	/**
	 * Runs the proxy until the JVM is asked to stop.
	 * @param args the command line
	 */
	public static void main(String[] args) {
		if (ProxyOptions.wantsHelp(args)) {
			System.out.println(ProxyOptions.USAGE);
			System.exit(0);
		}
		ProxyOptions options = ProxyOptions.parse(args, System.err);
		if (options == null) {
			System.exit(2);
		}
		AtomicReference<SecureStreamsProxy> running = new AtomicReference<>();
		CountDownLatch startDone = new CountDownLatch(1);
		CountDownLatch stopped = new CountDownLatch(1);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			// A SIGTERM while the proxy starts would otherwise find nothing to close yet, and leave
			// a --uds socket file behind: starting is short (a policy read, a bind), so wait for it.
			try {
				startDone.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			SecureStreamsProxy proxy = running.getAndSet(null);
			if (proxy != null) {
				proxy.close();
			}
			stopped.countDown();
		}, "ss-proxy-shutdown"));
		SecureStreamsProxy proxy = start(options, System.err);
		running.set(proxy);
		startDone.countDown();
		if (proxy == null) {
			System.exit(1);
		}
		try {
			stopped.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// The messages of these two are only the path, which the line already names.
	private static String reason(IOException ex) {
		if (ex instanceof NoSuchFileException) {
			return "no such file";
		}
		if (ex instanceof AccessDeniedException) {
			return "permission denied";
		}
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}

	/**
	 * Reads the policy and starts listening.
	 * @param options the options
	 * @param err where problems go
	 * @return the running proxy, or {@code null} when the policy or the socket is unusable
	 */
	static @Nullable SecureStreamsProxy start(ProxyOptions options, PrintStream err) {
		ParsedPolicy parsed;
		try {
			parsed = new PolicyParser().parse(options.policy());
		}
		catch (PolicyException ex) {
			err.println("ss-proxy: the policy " + options.policy() + " is not valid:");
			err.println(ex.getMessage());
			return null;
		}
		catch (UncheckedIOException ex) {
			err.println("ss-proxy: " + ex.getMessage() + ": " + reason(ex.getCause()));
			return null;
		}
		SecureStreams context = SecureStreams.builder(parsed.policy()).build();
		// As libwebsockets' proxy, detect when a client asks on the bus, for as long as the process
		// runs (the bus goes with the context).
		new CaptivePortalDetector(context).detectOnRequest();
		try {
			return SecureStreamsProxy.builder(context).listen(options.address()).ownContext().start();
		}
		catch (SecureStreamsException ex) {
			context.close();
			err.println("ss-proxy: " + ex.getMessage());
			return null;
		}
	}

}
