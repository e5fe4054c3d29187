package io.securestreams.benchmarks.h1;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.PolicyFragment;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.TrustStore;

/**
 * This runtime: one stream per concurrent flow, kept from call to call (as Reactor Netty keeps its
 * pool), each doing its share of transactions back to back on its kept-alive connection; a new
 * stream (so a new connection) per transaction for the new-connection case. Over h2 every
 * transaction is an h2 stream on the one connection all streams to the endpoint share, and ends
 * with DISCONNECTED after QOS_ACK_REMOTE; the next {@code requestTx()}, made in the
 * QOS_ACK_REMOTE callback as over http/1.1, starts the next transaction once that DISCONNECTED
 * is through. A new stream then does not mean a new connection, so the harness does not call
 * {@link #getOnNewConnections} over h2.
 */
final class SecureStreamsClient implements HttpClientUnderTest {

	private final SecureStreams streams;

	/** The streams of the concurrent flows, kept from one {@link #get} to the next. */
	private final List<SecureStream> flows = new ArrayList<>();

	private volatile Job job;

	SecureStreamsClient(String host, int port, Path caPem, int threads, Protocol protocol) throws Exception {
		String pem = Files.readString(caPem);
		String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
		PolicyFragment fragment = new PolicyFragment().release("bench");
		fragment.certificate(PolicyCertificate.fromDer("ca", Base64.getDecoder().decode(base64)));
		fragment.trustStore(new TrustStore("ca", List.of("ca")));
		fragment.streamType("get")
			.set(StreamTypeKey.PROTOCOL, protocol)
			.set(StreamTypeKey.ENDPOINT, host)
			.set(StreamTypeKey.PORT, port)
			.set(StreamTypeKey.TLS, true)
			.set(StreamTypeKey.TLS_TRUST_STORE, "ca")
			.set(StreamTypeKey.HTTP_METHOD, "GET")
			.set(StreamTypeKey.HTTP_URL, "${path}")
			.set(StreamTypeKey.METADATA, List.of(new MetadataDeclaration("path", "")))
			.set(StreamTypeKey.OPPORTUNISTIC, true);
		this.streams = SecureStreams.builder(fragment.build()).eventLoopThreads(threads).build();
	}

	@Override
	public String name() {
		return "secure-streams";
	}

	@Override
	public long get(String path, int transactions, int concurrency) throws Exception {
		Job job = new Job(transactions, concurrency);
		this.job = job;
		while (this.flows.size() < concurrency) {
			this.flows.add(this.streams.create("get", new FlowHandler()));
		}
		for (int i = 0; i < concurrency; i++) {
			SecureStream flow = this.flows.get(i);
			flow.setMetadata("path", path);
			job.remaining.decrementAndGet();
			flow.requestTx();
		}
		job.done.get(10, TimeUnit.MINUTES);
		return job.bytes.get();
	}

	/** One call of {@link #get}: its transactions, shared by the flows it uses. */
	private static final class Job {

		final AtomicInteger remaining;

		final AtomicLong bytes = new AtomicLong();

		final AtomicInteger finished = new AtomicInteger();

		final int concurrency;

		final CompletableFuture<Void> done = new CompletableFuture<>();

		Job(int transactions, int concurrency) {
			this.remaining = new AtomicInteger(transactions);
			this.concurrency = concurrency;
		}

	}

	/**
	 * A flow: a stream kept from call to call, as an application keeps a stream per concurrent
	 * flow (and as Reactor Netty keeps its pool), each doing its share of the current job's
	 * transactions back to back on its kept-alive connection.
	 */
	private final class FlowHandler implements StreamHandler {

		@Override
		public StreamResult onRx(SecureStream s, ByteBuffer payload, int flags) {
			SecureStreamsClient.this.job.bytes.addAndGet(payload.remaining());
			return StreamResult.OK;
		}

		@Override
		public StreamResult onState(SecureStream s, StreamState state, long ack) {
			Job current = SecureStreamsClient.this.job;
			// Only the ack counts a transaction. Over h2 a DISCONNECTED follows each one: it is
			// ignored here, and the request made below survives it (the stream then starts its
			// next attempt for it, on the shared connection).
			if (state == StreamState.QOS_ACK_REMOTE) {
				if (current.remaining.getAndDecrement() > 0) {
					s.requestTx();
				}
				else if (current.finished.incrementAndGet() == current.concurrency) {
					current.done.complete(null);
				}
			}
			else if (state == StreamState.QOS_NACK_REMOTE || state == StreamState.ALL_RETRIES_FAILED) {
				current.done.completeExceptionally(new IllegalStateException("transaction failed: " + state));
			}
			return StreamResult.OK;
		}

	}

	@Override
	public void getOnNewConnections(String path, int transactions) throws Exception {
		for (int i = 0; i < transactions; i++) {
			CompletableFuture<Void> done = new CompletableFuture<>();
			SecureStream stream = this.streams.create("get", new StreamHandler() {
				@Override
				public StreamResult onState(SecureStream s, StreamState state, long ack) {
					if (state == StreamState.QOS_ACK_REMOTE) {
						done.complete(null);
						return StreamResult.DESTROY_ME;
					}
					if (state == StreamState.QOS_NACK_REMOTE || state == StreamState.ALL_RETRIES_FAILED) {
						done.completeExceptionally(new IllegalStateException("transaction failed: " + state));
					}
					return StreamResult.OK;
				}
			});
			stream.setMetadata("path", path);
			stream.requestTx();
			done.get(1, TimeUnit.MINUTES);
		}
	}

	/**
	 * Measures the heap an idle created stream keeps.
	 * @param count how many streams to create
	 * @return retained bytes per stream
	 */
	long bytesPerIdleStream(int count) {
		long before = HeapMeter.usedAfterGc();
		SecureStream[] kept = new SecureStream[count];
		StreamHandler idle = new StreamHandler() {
		};
		for (int i = 0; i < count; i++) {
			kept[i] = this.streams.create("get", idle);
		}
		long after = HeapMeter.usedAfterGc();
		long perStream = (after - before) / count;
		for (SecureStream stream : kept) {
			stream.destroy();
		}
		return perStream;
	}

	@Override
	public void close() {
		this.streams.close();
	}

}
