package io.securestreams.examples;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.securestreams.SecureStream;
import io.securestreams.SecureStreams;
import io.securestreams.StreamFlags;
import io.securestreams.StreamHandler;
import io.securestreams.StreamResult;
import io.securestreams.StreamState;
import io.securestreams.policy.Policy;

/**
 * The example of docs/streams.md: fetch a document through a streamtype and print it. The
 * application names only the streamtype; the policy says where and how to connect.
 */
public final class HttpGetExample {

	private HttpGetExample() {
	}

	/**
	 * Runs one transaction of a streamtype and returns the body.
	 * @param policy the policy database
	 * @param streamType the streamtype to use
	 * @return the body text
	 * @throws Exception when the transaction fails
	 */
	public static String fetch(Policy policy, String streamType) throws Exception {
		CompletableFuture<String> result = new CompletableFuture<>();
		try (SecureStreams streams = SecureStreams.builder(policy).build()) {
			SecureStream stream = streams.create(streamType, new StreamHandler() {

				private final ByteArrayOutputStream body = new ByteArrayOutputStream();

				@Override
				public StreamResult onRx(SecureStream s, ByteBuffer payload, int flags) {
					// The buffer is only valid during this call: copy what we keep.
					byte[] bytes = new byte[payload.remaining()];
					payload.get(bytes);
					this.body.write(bytes, 0, bytes.length);
					if (StreamFlags.has(flags, StreamFlags.EOM)) {
						System.out.println("received " + this.body.size() + " bytes");
					}
					return StreamResult.OK;
				}

				@Override
				public StreamResult onState(SecureStream s, StreamState state, long ack) {
					System.out.println(s.streamType() + ": " + state);
					if (state == StreamState.QOS_ACK_REMOTE) {
						result.complete(this.body.toString(StandardCharsets.UTF_8));
					}
					else if (state == StreamState.QOS_NACK_REMOTE || state == StreamState.ALL_RETRIES_FAILED) {
						result.completeExceptionally(new IllegalStateException("transaction failed: " + state));
					}
					return StreamResult.OK;
				}
			});
			stream.requestTx();
			return result.get(30, TimeUnit.SECONDS);
		}
	}

}
