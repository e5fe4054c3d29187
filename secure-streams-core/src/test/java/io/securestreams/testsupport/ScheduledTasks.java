package io.securestreams.testsupport;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.securestreams.SecureStreams;
import io.securestreams.internal.ContextAccess;

/**
 * Lists the tasks scheduled on a context's event loops, for soak tests that check timers of
 * destroyed streams and closed connections were cancelled. Reads Netty's scheduled task queue
 * by reflection, on each loop's own thread.
 */
public final class ScheduledTasks {

	private ScheduledTasks() {
	}

	/**
	 * Returns the scheduled (not cancelled) tasks of a context's loops.
	 * @param streams the context
	 * @return each task's description
	 */
	public static List<String> of(SecureStreams streams) {
		return of(ContextAccess.runtime(streams).transport().group());
	}

	/**
	 * Returns the scheduled (not cancelled) tasks of every executor of a group.
	 * @param group the group
	 * @return each task's description
	 */
	public static List<String> of(EventExecutorGroup group) {
		List<String> all = new ArrayList<>();
		for (EventExecutor executor : group) {
			all.addAll(executor.submit(() -> queued(executor)).syncUninterruptibly().getNow());
		}
		return all;
	}

	private static List<String> queued(EventExecutor executor) throws ReflectiveOperationException {
		Field field = AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
		field.setAccessible(true);
		Collection<?> queue = (Collection<?>) field.get(executor);
		List<String> tasks = new ArrayList<>();
		if (queue != null) {
			for (Object task : queue) {
				if (!((java.util.concurrent.Future<?>) task).isCancelled()) {
					tasks.add(task.toString());
				}
			}
		}
		return tasks;
	}

}
