package io.securestreams.proxy.client;

import java.nio.file.Path;
import java.time.Duration;

import io.netty.buffer.Unpooled;
import io.securestreams.SecureStreams;
import io.securestreams.StreamState;
import io.securestreams.proxy.wire.SsMessage;
import io.securestreams.proxy.wire.ToClient;
import io.securestreams.testsupport.ScriptedProxy;
import io.securestreams.testsupport.TransitionGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the proxied-client test classes share: a {@link ScriptedProxy} the test drives frame by
 * frame, a proxied context pointed at it whose transitions a {@link TransitionGuard} checks, and
 * the frames a proxy most often sends.
 */
abstract class ScriptedProxyFixture {

	static final Duration WAIT = Duration.ofSeconds(10);

	final TransitionGuard guard = new TransitionGuard();

	@TempDir
	Path temp;

	ScriptedProxy proxy;

	SecureStreams streams;

	@AfterEach
	void stop() throws Exception {
		if (this.streams != null) {
			this.streams.close();
		}
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	/**
	 * Creates the scripted proxy (not listening yet) and a proxied context on one event loop.
	 * @param listener the context's listener
	 * @return the context
	 */
	SecureStreams proxiedContext(TransitionGuard listener) {
		this.proxy = new ScriptedProxy(this.temp.resolve("proxy.sock"));
		this.streams = SecureStreams.proxiedBuilder(this.proxy.address()).eventLoopThreads(1).listener(listener)
			.build();
		return this.streams;
	}

	static SsMessage state(StreamState state) {
		return new ToClient.ConnState(state.value(), 0);
	}

	static SsMessage rx(int flags, byte[] payload) {
		return new ToClient.RxPayload(flags, 0, 1, null, Unpooled.wrappedBuffer(payload));
	}

}
