package io.securestreams.server.h2;

import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A Jetty WebSocket client endpoint that records whole messages (String or byte[]), PONGs, the
 * open and the close.
 * Public because Jetty binds its methods with a public lookup.
 */
public final class JettyWsMessages extends Session.Listener.AbstractAutoDemanding {

	final BlockingQueue<Object> received = new LinkedBlockingQueue<>();

	final CountDownLatch closed = new CountDownLatch(1);

	final CountDownLatch opened = new CountDownLatch(1);

	final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();

	@Override
	public void onWebSocketPong(ByteBuffer payload) {
		this.pongs.add(payload);
	}

	@Override
	public void onWebSocketOpen(Session session) {
		super.onWebSocketOpen(session);
		this.opened.countDown();
	}

	@Override
	public void onWebSocketText(String message) {
		this.received.add(message);
	}

	@Override
	public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
		byte[] bytes = new byte[payload.remaining()];
		payload.get(bytes);
		this.received.add(bytes);
		callback.succeed();
	}

	@Override
	public void onWebSocketClose(int statusCode, String reason) {
		this.closed.countDown();
	}

}
