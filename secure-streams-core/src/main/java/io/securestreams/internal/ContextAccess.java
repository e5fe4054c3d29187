package io.securestreams.internal;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.securestreams.SecureStreams;
import io.securestreams.policy.Policy;
import io.securestreams.policy.overlay.ActivePolicy;
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

		/**
		 * Runs a creation as the context's own {@code create} does.
		 * @param context the context
		 * @param create creates the stream
		 * @param <T> what it creates
		 * @return what {@code create} returned
		 */
		<T> T creation(SecureStreams context, Supplier<T> create);

		/**
		 * Replaces a context's base policy as {@link SecureStreams#replacePolicy} does, if
		 * {@code proceed} agrees when asked under the context's policy-change lock.
		 * @param context the context
		 * @param policy the new policy
		 * @param proceed whether to replace; asked with the lock held
		 * @param replaced told, with the lock still held, that the policy was replaced
		 * @return the new active policy, or {@code null} when {@code proceed} said no
		 */
		@Nullable ActivePolicy replacePolicyIf(SecureStreams context, Policy policy, BooleanSupplier proceed,
				Runnable replaced);

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
		return accessor().runtime(context);
	}

	/**
	 * Runs a creation of a stream outside the context's own {@code create} (the proxy's onward
	 * streams) under the same rules: refused with a {@link io.securestreams.SecureStreamsException}
	 * once the context is shut down, and waited for by a shutdown that starts meanwhile, so that
	 * no stream registers after the shutdown's last look.
	 * @param context the context
	 * @param create creates the stream
	 * @param <T> what it creates
	 * @return what {@code create} returned
	 */
	public static <T> T creation(SecureStreams context, Supplier<T> create) {
		return accessor().creation(context, create);
	}

	/**
	 * Replaces a context's base policy as {@link SecureStreams#replacePolicy} does, only if
	 * {@code proceed} agrees when asked under the context's policy-change lock, so that the
	 * decision and the replacement are one step for every other change (a fetch that must not
	 * overwrite the policy of a fetch started after it). The announcement on the system message
	 * bus follows outside the lock, as for every change.
	 * @param context the context
	 * @param policy the new policy
	 * @param proceed whether to replace; asked with the lock held, so it must not wait
	 * @param replaced told, with the lock still held, that the policy was replaced
	 * @return the new active policy, or {@code null} when {@code proceed} said no
	 * @throws io.securestreams.policy.PolicyException if the policy is invalid; nothing changes then
	 * @throws io.securestreams.SecureStreamsException if the context is shut down
	 */
	public static @Nullable ActivePolicy replacePolicyIf(SecureStreams context, Policy policy,
			BooleanSupplier proceed, Runnable replaced) {
		return accessor().replacePolicyIf(context, policy, proceed, replaced);
	}

	private static Accessor accessor() {
		Accessor current = accessor;
		if (current == null) {
			throw new IllegalStateException("SecureStreams did not install its accessor");
		}
		return current;
	}

}
