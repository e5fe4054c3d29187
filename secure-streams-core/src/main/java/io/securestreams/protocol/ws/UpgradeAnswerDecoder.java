package io.securestreams.protocol.ws;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Reads the server's answer to a ws upgrade request. A 101 answer never has a body: Netty's
 * decoder expects the 16-byte body of the obsolete Hixie-76 handshake when a 101 answer lacks
 * {@code Sec-WebSocket-Accept}, and so held such an answer until the handshake timed out instead
 * of handing it on to be refused at once (RFC 6455 section 4.1).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class UpgradeAnswerDecoder extends HttpResponseDecoder {

	UpgradeAnswerDecoder(HttpDecoderConfig config) {
		super(config);
	}

	@Override
	protected boolean isContentAlwaysEmpty(HttpMessage message) {
		return (message instanceof HttpResponse response
				&& response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code())
				|| super.isContentAlwaysEmpty(message);
	}

}
