package io.securestreams.internal;

import java.util.function.BiConsumer;
import java.util.function.IntConsumer;

import io.netty.channel.EventLoop;
import io.securestreams.SecureStream;
import io.securestreams.metadata.MetadataValues;
import org.jspecify.annotations.Nullable;

/**
 * What a proxy needs of the stream that fulfils a client's stream in its own process: a client
 * stream that connects onward, or the source side of a local sink pair. Every method may be
 * called from any thread.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public interface OnwardStream extends SecureStream {

	/** The client's ONWARD_CONNECT: connect (or start the next transaction) if idle. */
	void onwardConnect();

	/**
	 * Pauses or resumes what the stream receives (the proxy's rx flow control).
	 * @param paused whether to stop receiving
	 */
	void setRxPaused(boolean paused);

	/** Ends the current connection as a DISCONNECT_ME result would, from another thread. */
	void disconnectLater();

	/**
	 * Returns the event loop the stream's callbacks run on.
	 * @return the loop
	 */
	EventLoop eventLoop();

	/**
	 * Returns the stream's metadata, for the names a client may set.
	 * @return the values
	 */
	MetadataValues metadataValues();

	/**
	 * Observes metadata received from the peer (response headers), which a proxy passes on.
	 * @param observer receives each name and value on the stream's loop, or {@code null}
	 */
	void observeReceivedMetadata(@Nullable BiConsumer<String, byte[]> observer);

	/**
	 * Observes the credit the peer gives the stream to send (an h2 stream's send window when its
	 * response head arrives), which a proxy passes on as TXCR_UPDATE.
	 * @param observer receives each credit on the stream's loop, or {@code null}
	 */
	void observeTxCredit(@Nullable IntConsumer observer);

}
