package io.securestreams.proxy.client;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a proxied client names the metadata its proxy keeps closing links on, and when it must
 * not.
 */
class MetadataRefusalsTests {

	private final AtomicLong now = new AtomicLong(1_000_000_000L);

	private final MetadataRefusals refusals = new MetadataRefusals(this.now::get);

	@Test
	void theSameSuspectsClosingThreeLinksInARowAreNamedOnce() {
		assertThat(closeRightAfter("bad", "good")).isEmpty();
		assertThat(closeRightAfter("good", "bad")).isEmpty();
		assertThat(closeRightAfter("bad", "good")).containsExactly("bad", "good");
		// Counting starts over after naming them.
		assertThat(closeRightAfter("bad", "good")).isEmpty();
		assertThat(closeRightAfter("bad", "good")).isEmpty();
		assertThat(closeRightAfter("bad", "good")).containsExactly("bad", "good");
	}

	@Test
	void aValueTheProxyTookIsNoSuspectOnLaterLinks() {
		this.refusals.written("taken");
		this.refusals.connectWritten();
		this.refusals.written("bad");
		this.refusals.connectAnswered();
		assertThat(this.refusals.proxyClosed()).isEmpty();
		assertThat(closeRightAfter("taken", "bad")).isEmpty();
		assertThat(closeRightAfter("taken", "bad")).containsExactly("bad");
	}

	@Test
	void aNewValueForATakenNameIsASuspectAgain() {
		this.refusals.written("name");
		this.refusals.connectWritten();
		this.refusals.connectAnswered();
		assertThat(closeRightAfter("name")).isEmpty();
		this.refusals.setAgain("name");
		closeRightAfter("name");
		closeRightAfter("name");
		assertThat(closeRightAfter("name")).containsExactly("name");
	}

	@Test
	void aLinkClosedLongAfterTheMetadataWentOutBreaksTheRun() {
		closeRightAfter("name");
		closeRightAfter("name");
		this.refusals.written("name");
		this.now.addAndGet(MetadataRefusals.WINDOW_NANOS + 1);
		assertThat(this.refusals.proxyClosed()).isEmpty();
		assertThat(closeRightAfter("name")).isEmpty();
		assertThat(closeRightAfter("name")).isEmpty();
		assertThat(closeRightAfter("name")).containsExactly("name");
	}

	@Test
	void linksWithOtherSuspectsOrNoneBreakTheRunButTheClientsOwnHangUpsDoNot() {
		closeRightAfter("a");
		closeRightAfter("a");
		this.refusals.written("a");
		this.refusals.linkGone();
		assertThat(closeRightAfter("a")).containsExactly("a");
		closeRightAfter("b");
		closeRightAfter("b");
		assertThat(closeRightAfter("b", "c")).isEmpty();
		assertThat(this.refusals.proxyClosed()).isEmpty();
		assertThat(closeRightAfter("b")).isEmpty();
	}

	private List<String> closeRightAfter(String... names) {
		for (String name : names) {
			this.refusals.written(name);
		}
		this.now.addAndGet(1_000_000L);
		return this.refusals.proxyClosed();
	}

}
