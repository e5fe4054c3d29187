package io.securestreams.boot.config;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import io.securestreams.PolicyChangeListener;
import io.securestreams.SecureStreams;
import io.securestreams.policy.Policy;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.policy.overlay.ActivePolicy;

/**
 * Tells when streamtypes come back into a context's policy. A policy that no longer defines a
 * streamtype (a fetched or replaced one, or overlays reset) destroys its streams; when a later
 * policy defines it again, the handler containers of that streamtype must create theirs anew.
 * So must they when a change turns a streamtype between client and server, to or from a local
 * sink, or to MQTT: its live streams cannot follow that, and the context destroys them as if it
 * had gone.
 * Each change is compared with the policy before it as the context makes it, one change at a
 * time ({@link PolicyChangeListener}): compared later, on the {@code {"policy":"updated"}}
 * system message, the policy in force may already be a newer one (a policy without a
 * streamtype followed at once by one with it, from another thread or from a participant told
 * of the first), and the streamtype would never be seen leaving. The streams are created on a
 * thread of its own, one change after the other: the policy may have been set from a callback,
 * on an event loop, where a returning server streamtype's listener cannot be created; and a
 * listener must not create streams while the context holds its policy-change lock.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class ReturningStreamTypes implements PolicyChangeListener, AutoCloseable {

	private final SecureStreams streams;

	private final Consumer<Set<String>> returned;

	private final ExecutorService restarts = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "secure-streams-handler-restart");
		thread.setDaemon(true);
		return thread;
	});

	/**
	 * Starts watching.
	 * @param streams the context
	 * @param returned told the streamtypes a policy defines again, on a thread of its own
	 */
	ReturningStreamTypes(SecureStreams streams, Consumer<Set<String>> returned) {
		this.streams = streams;
		this.returned = returned;
		streams.addPolicyChangeListener(this);
	}

	@Override
	public void policyChanged(Policy before, ActivePolicy after) {
		Set<String> back = new HashSet<>();
		for (StreamTypePolicy now : after.policy().streamTypes().values()) {
			StreamTypePolicy was = before.streamType(now.name());
			// A streamtype that turned between client and server, or to or from a local sink, is
			// one its live streams cannot follow: the context destroys them as if it had gone.
			// So is one turned to MQTT for a client stream on another event loop than the one
			// MQTT streams share; one on that loop by chance is created anew all the same (the
			// change means a new connection anyway), so that the outcome does not depend on it.
			if (was == null || was.server() != now.server() || was.localSink() != now.localSink()
					|| (was.protocol() != Protocol.MQTT && now.protocol() == Protocol.MQTT)) {
				back.add(now.name());
			}
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
		this.streams.removePolicyChangeListener(this);
		this.restarts.shutdown();
	}

}
