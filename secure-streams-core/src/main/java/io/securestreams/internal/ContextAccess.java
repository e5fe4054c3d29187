package io.securestreams.internal;

import io.securestreams.SecureStreams;
import org.jspecify.annotations.Nullable;

/**
 * Gives the runtime's own packages (the proxy) access to a context's internals without making
 * them part of the public API of {@link SecureStreams}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ContextAccess {

	/** Implemented by {@link SecureStreams}, which installs it when its class initializes. */
	public interface Accessor {

		/**
		 * Returns a context's internals.
		 * @param context the context
		 * @return its runtime
		 */
		StreamsRuntime runtime(SecureStreams context);

	}

	private static volatile @Nullable Accessor accessor;

	private ContextAccess() {
	}

	/**
	 * Installs the accessor; only the first call has effect.
	 * @param installed the accessor
	 */
	public static synchronized void install(Accessor installed) {
		if (accessor == null) {
			accessor = installed;
		}
	}

	/**
	 * Returns a context's internals.
	 * @param context the context
	 * @return its runtime
	 */
	public static StreamsRuntime runtime(SecureStreams context) {
		Accessor current = accessor;
		if (current == null) {
			throw new IllegalStateException("SecureStreams did not install its accessor");
		}
		return current.runtime(context);
	}

}
