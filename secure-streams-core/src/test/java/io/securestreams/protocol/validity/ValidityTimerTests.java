package io.securestreams.protocol.validity;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.securestreams.policy.RetryPolicy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ValidityTimerTests {

	private final EventLoop loop = new DefaultEventLoop();

	private final List<String> events = new CopyOnWriteArrayList<>();

	@AfterEach
	void stop() {
		this.loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
	}

	private ValidityTimer timer(Duration ping, Duration hangup) {
		return new ValidityTimer(this.loop, ping, hangup, () -> this.events.add("ping"),
				() -> this.events.add("hangup"));
	}

	@Test
	void pingsThenHangsUpWhenNothingProvesLife() {
		ValidityTimer timer = timer(Duration.ofMillis(100), Duration.ofMillis(300));
		this.loop.execute(timer::start);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.events.contains("hangup"));
		assertThat(this.events).containsExactly("ping", "hangup");
	}

	@Test
	void proofOfLifeAfterThePingAvoidsTheHangUp() {
		ValidityTimer timer = timer(Duration.ofMillis(100), Duration.ofMillis(400));
		this.loop.execute(timer::start);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.events.contains("ping"));
		this.loop.execute(timer::confirmed);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.events.size() >= 2);
		assertThat(this.events).startsWith("ping", "ping");
		this.loop.execute(timer::stop);
	}

	@Test
	void anAnsweredPingRearmsThePingIntervalFromTheAnswer() {
		// svalidping 100 ms, svalidhup 2 s: a PING answered at once must be followed by the next
		// PING about 100 ms after that answer, not only when the hang-up window of the first ends.
		List<Long> pings = new CopyOnWriteArrayList<>();
		ValidityTimer[] holder = new ValidityTimer[1];
		holder[0] = new ValidityTimer(this.loop, Duration.ofMillis(100), Duration.ofMillis(2000), () -> {
			pings.add(System.nanoTime());
			this.loop.execute(holder[0]::confirmed);
		}, () -> this.events.add("hangup"));
		this.loop.execute(holder[0]::start);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pings.size() >= 2);
		this.loop.execute(holder[0]::stop);
		assertThat(Duration.ofNanos(pings.get(1) - pings.get(0))).isLessThan(Duration.ofMillis(1000));
		assertThat(this.events).isEmpty();
	}

	@Test
	void withPingNotShorterThanHangUpOnlyTheHangUpTimerRuns() {
		ValidityTimer timer = timer(Duration.ofMillis(300), Duration.ofMillis(200));
		this.loop.execute(timer::start);
		Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> this.events.contains("hangup"));
		assertThat(this.events).containsExactly("hangup");
	}

	@Test
	void aZeroHangUpDisablesTheCheck() {
		RetryPolicy policy = new RetryPolicy("r", List.of(100), 1, 0, 1, 0);
		ValidityTimer timer = ValidityTimer.fromPolicy(this.loop, policy, () -> this.events.add("ping"),
				() -> this.events.add("hangup"));
		assertThat(timer.isEnabled()).isFalse();
	}

	@Test
	void withoutARetryPolicyTheContextDefaultsApply() {
		// Reference 5.4: a connection without a retry policy gets lws's context defaults.
		ValidityTimer timer = ValidityTimer.fromPolicy(this.loop, null, () -> this.events.add("ping"),
				() -> this.events.add("hangup"));
		assertThat(timer.isEnabled()).isTrue();
		assertThat(timer.pingInterval()).isEqualTo(Duration.ofSeconds(40));
		assertThat(timer.hangupInterval()).isEqualTo(Duration.ofSeconds(50));
	}

	@Test
	void stopCancelsEverything() {
		ValidityTimer timer = timer(Duration.ofMillis(50), Duration.ofMillis(100));
		this.loop.execute(() -> {
			timer.start();
			timer.stop();
		});
		Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(this.events::isEmpty);
	}

}
