package io.securestreams.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.util.ResourceLeakDetector;

/**
 * A {@link ResourceLeakDetector} that remembers every leak it reports, so that
 * {@link LeakCheckExtension} can fail the test class that leaked. Netty instantiates it
 * because the build sets {@code io.netty.customResourceLeakDetector} to this class.
 *
 * @param <T> the tracked resource type
 */
public class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

	private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

	public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
		super(resourceType, samplingInterval, maxActive);
	}

	public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
		super(resourceType, samplingInterval);
	}

	@Override
	protected boolean needReport() {
		return true;
	}

	@Override
	protected void reportTracedLeak(String resourceType, String records) {
		LEAKS.add("LEAK: " + resourceType + records);
		super.reportTracedLeak(resourceType, records);
	}

	@Override
	protected void reportUntracedLeak(String resourceType) {
		LEAKS.add("LEAK (untraced): " + resourceType);
		super.reportUntracedLeak(resourceType);
	}

	/**
	 * Returns and forgets the leaks reported so far.
	 * @return the leak reports, oldest first
	 */
	public static List<String> drain() {
		List<String> copy = List.copyOf(LEAKS);
		LEAKS.removeAll(copy);
		return copy;
	}

}
