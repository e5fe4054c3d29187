package io.securestreams.benchmarks.server;

import java.net.InetSocketAddress;
import java.security.cert.CertificateEncodingException;
import java.util.List;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.TxSlot;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import org.jspecify.annotations.Nullable;

/**
 * This runtime's http server: an h2 server streamtype (h2 with prior knowledge, or by ALPN over
 * TLS; http/1.1 for other clients) whose handler answers every request with {@link #BODY} and a
 * content length.
 */
final class SecureStreamsHttpServer implements HttpServerUnderTest {

	private final SecureStreams streams;

	private final SecureStream listener;

	SecureStreamsHttpServer(int threads, @Nullable SelfSignedCertificate tls) throws CertificateEncodingException {
		PolicyFragment fragment = new PolicyFragment().release("bench");
		StreamTypePolicy.Builder server = fragment.streamType("http-server")
			.set(StreamTypeKey.SERVER, true)
			.set(StreamTypeKey.PROTOCOL, Protocol.H2)
			.set(StreamTypeKey.ENDPOINT, "127.0.0.1")
			.set(StreamTypeKey.PORT, 0)
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("path", ""),
					new MetadataDeclaration("method", ""), new MetadataDeclaration("mime", "content-type:")));
		if (tls != null) {
			fragment.certificate(PolicyCertificate.fromDer("bench_cert", tls.cert().getEncoded()));
			fragment.certificate(PolicyCertificate.fromDer("bench_key", tls.key().getEncoded()));
			server.set(StreamTypeKey.TLS, true)
				.set(StreamTypeKey.SERVER_CERT, "bench_cert")
				.set(StreamTypeKey.SERVER_KEY, "bench_key");
		}
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(threads).build();
		this.listener = this.streams.create("http-server", new OneKilobyte());
	}

	@Override
	public String name() {
		return "secure-streams";
	}

	@Override
	public int port() {
		return ((InetSocketAddress) this.listener.localAddress()).getPort();
	}

	@Override
	public void close() {
		this.streams.close();
	}

	/** Answers each transaction with the body in one tx call. */
	private static final class OneKilobyte implements StreamHandler {

		@Override
		public StreamResult onState(SecureStream stream, StreamState state, long ack) {
			if (state == StreamState.SERVER_TXN) {
				stream.serverAck(0);
				stream.setMetadata("mime", "application/octet-stream");
				stream.requestTxLen(BODY.length);
			}
			return StreamResult.OK;
		}

		@Override
		public StreamResult onTx(SecureStream stream, TxSlot slot) {
			slot.buffer().put(BODY);
			slot.flags(StreamFlags.SOM | StreamFlags.EOM);
			return StreamResult.OK;
		}

	}

}
