package io.securestreams.boot.config;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import io.securestreams.SecureStreams;
import io.securestreams.smd.SmdBus;
import io.securestreams.smd.SmdClass;
import io.securestreams.smd.SmdMessage;

/**
 * Tells when streamtypes come back into a context's policy. A policy that no longer defines a
 * streamtype (a fetched or replaced one, or overlays reset) destroys its streams; when a later
 * policy defines it again, the handler containers of that streamtype must create theirs anew.
 * The context announces every policy it sets on the system message bus, as libwebsockets does
 * ({@code {"policy":"updated"}}, class {@link SmdClass#SYSTEM_STATE}); on each system-state
 * message the streamtypes defined now are compared with those defined before. The comparison
 * runs in the thread that set the policy, as it announces it: read later, the policy in force may
 * already be a newer one (a policy without a streamtype followed at once by one with it), and the
 * streamtype would never be seen leaving. The streams are created on a thread of its own, one
 * change after the other: the policy may have been set from a callback, on an event loop, where a
 * returning server streamtype's listener cannot be created.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ReturningStreamTypes implements AutoCloseable {

	private final SecureStreams streams;

	private final Consumer<Set<String>> returned;

	private Set<String> defined;

	private final ExecutorService restarts = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "secure-streams-handler-restart");
		thread.setDaemon(true);
		return thread;
	});

	private final SmdBus.Subscription subscription;

	/**
	 * Starts watching.
	 * @param streams the context
	 * @param returned told the streamtypes a policy defines again, on a thread of its own
	 */
	ReturningStreamTypes(SecureStreams streams, Consumer<Set<String>> returned) {
		this.streams = streams;
		this.returned = returned;
		this.defined = Set.copyOf(streams.policy().streamTypes().keySet());
		this.subscription = streams.smd().subscribe(SmdClass.SYSTEM_STATE, Runnable::run, this::systemState);
	}

	private void systemState(SmdMessage message) {
		Set<String> back;
		synchronized (this) {
			Set<String> now = Set.copyOf(this.streams.policy().streamTypes().keySet());
			back = new HashSet<>(now);
			back.removeAll(this.defined);
			this.defined = now;
		}
		if (!back.isEmpty()) {
			try {
				this.restarts.execute(() -> this.returned.accept(back));
			}
			catch (RejectedExecutionException ex) {
				// Closed: the handler streams are stopping.
			}
		}
	}

	@Override
	public void close() {
		this.subscription.close();
		this.restarts.shutdown();
	}

}
