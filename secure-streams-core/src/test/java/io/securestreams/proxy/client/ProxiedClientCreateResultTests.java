package io.securestreams.proxy.client;

import java.util.List;

import io.securestreams.StreamState;
import io.securestreams.proxy.wire.SsWire;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.testsupport.CapturedLogs;
import io.securestreams.testsupport.RecordingHandler;
import io.securestreams.testsupport.ScriptedProxy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CREATE_RESULT in the forms a proxy may send it (reference §7.4). libwebsockets' client reads
 * a refusal from its result byte alone, whatever follows: the serialization header's comment
 * describes a 3-byte frame ({@code result, 2-byte credit}), older proxies sent one byte.
 */
class ProxiedClientCreateResultTests extends ScriptedProxyFixture {

	private ScriptedProxy.Link acceptStreamType() throws Exception {
		ScriptedProxy.Link link = this.proxy.accept(WAIT);
		assertThat(link.next().type()).isEqualTo(0xaa);
		return link;
	}

	/**
	 * A short refusal is a refusal: counted with the others (warned about once, the repeats at
	 * debug level), not a protocol error warned about every second for as long as it lasts.
	 */
	@Test
	void aRefusalShorterThanFiveBytesIsAFailedCreation() throws Exception {
		proxiedContext(this.guard);
		this.proxy.listen();
		try (CapturedLogs logs = new CapturedLogs("io.securestreams.proxy.client")) {
			RecordingHandler handler = new RecordingHandler();
			this.streams.create("short", handler);
			ScriptedProxy.Link link = acceptStreamType();
			link.send(new byte[] { 0x56, 0, 1, 1 });
			link.awaitClosed();
			assertThat(logs.await("stream creation failed at the proxy", "(1 in a row)")).contains("short");
			link = acceptStreamType();
			link.send(new byte[] { 0x56, 0, 3, 1, 0, 0 });
			link.awaitClosed();
			link = acceptStreamType();
			// A success still needs its client_buflen.
			link.send(new byte[] { 0x56, 0, 1, 0 });
			link.awaitClosed();
			assertThat(logs.await("hanging up the proxy link", "bad length 1 for a CREATE_RESULT frame"))
				.contains("short");
			link = acceptStreamType();
			link.send(SsWire.toBytes(ToClient.CreateResult.FAILED));
			link.awaitClosed();
			link = acceptStreamType();
			link.send(ToClient.CreateResult.ok(0, List.of("short")), state(StreamState.CREATING));
			handler.await(StreamState.CREATING, WAIT);
			assertThat(logs.await("created at the proxy", "after 3 failed attempts")).contains("short");
			assertThat(logs.messages()).noneMatch((line) -> line.contains("bad length 3"));
		}
		this.guard.assertNoViolations();
	}

}
