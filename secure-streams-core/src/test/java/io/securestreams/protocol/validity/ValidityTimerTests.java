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
		return new ValidityTimer(this.loop, ping, hangup, () -> this.events.add("ping"), () -> this.events.add("hangup"));
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
		assertThat(ValidityTimer.fromPolicy(this.loop, null, () -> {
		}, () -> {
		}).isEnabled()).isFalse();
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
