package io.securestreams.protocol.h2;

import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code h2q_oflow_txcr} quirk: tolerating an h2 server whose flow-control numbers would push
 * our tx credit past the protocol's limit of 2^31-1. Some servers announce an initial window of
 * exactly 2^31-1 and then send WINDOW_UPDATEs on top of it; by the letter of RFC 9113 that is a
 * FLOW_CONTROL_ERROR and Netty, like nghttp2, ends the stream or the connection.
 * <p>
 * With the quirk, as libwebsockets does, a SETTINGS_INITIAL_WINDOW_SIZE of exactly 2^31-1 is
 * acknowledged but not applied (stream windows keep the previous initial size, so later
 * WINDOW_UPDATEs fit). Beyond libwebsockets, a WINDOW_UPDATE that would still overflow a window
 * raises it to 2^31-1 instead of failing, so such a server works whichever of the two it does.
 * Only connections of streamtypes that set the key get this controller.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class TxCreditQuirk {

	private static final Logger logger = LoggerFactory.getLogger(TxCreditQuirk.class);

	private TxCreditQuirk() {
	}

	/**
	 * Returns a client frame codec builder whose connection tolerates the quirk.
	 * @return a builder for a client codec, otherwise as {@code Http2FrameCodecBuilder.forClient()}
	 */
	static Http2FrameCodecBuilder clientCodec() {
		DefaultHttp2Connection connection = new DefaultHttp2Connection(false);
		connection.remote().flowController(new TolerantFlowController(connection));
		return new ClientCodecBuilder(connection);
	}

	/** Netty's client codec builder, given a connection whose remote flow controller is ours. */
	private static final class ClientCodecBuilder extends Http2FrameCodecBuilder {

		ClientCodecBuilder(Http2Connection connection) {
			// As forClient(), which cannot be combined with a connection of our own.
			connection(connection);
			gracefulShutdownTimeoutMillis(0);
		}

		/**
		 * A client's, as forClient() says with server(false), which cannot be combined with a
		 * connection either. Left unset, Netty takes the codec for a server's and adds the
		 * rapid-reset guards, which close the connection after 200 RST_STREAM frames in 30 s.
		 */
		@Override
		public boolean isServer() {
			return false;
		}

	}

	/** Netty's remote flow controller, with the two relaxations described above. */
	static final class TolerantFlowController extends DefaultHttp2RemoteFlowController {

		TolerantFlowController(Http2Connection connection) {
			super(connection);
		}

		@Override
		public void initialWindowSize(int newWindowSize) throws Http2Exception {
			if (newWindowSize == Integer.MAX_VALUE) {
				logger.debug("h2 server announced an initial window of 2^31-1; kept {} (h2q_oflow_txcr)",
						initialWindowSize());
				return;
			}
			super.initialWindowSize(newWindowSize);
		}

		@Override
		public void incrementWindowSize(Http2Stream stream, int delta) throws Http2Exception {
			// In long: a window may be negative (RFC 9113 section 6.9.2), and then the room is more
			// than an int holds.
			long room = (long) Integer.MAX_VALUE - windowSize(stream);
			if (delta > 0 && delta > room) {
				logger.debug("h2 WINDOW_UPDATE of {} on stream {} would overflow the window; raised it to 2^31-1 "
						+ "instead (h2q_oflow_txcr)", delta, stream.id());
				if (room == 0) {
					return;
				}
				delta = (int) room;
			}
			super.incrementWindowSize(stream, delta);
		}

	}

}
