package io.securestreams.testsupport;

import java.util.concurrent.TimeUnit;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Buffer;

/**
 * A small httpbin-like dispatcher for MockWebServer, like the C test suite's local httpbin:
 * {@code /status/N}, {@code /bytes/N}, {@code /delay/S} and {@code /echo} (POST body back).
 */
public final class HttpbinDispatcher extends Dispatcher {

	@Override
	public MockResponse dispatch(RecordedRequest request) {
		String path = request.getUrl().encodedPath();
		if (path.startsWith("/status/")) {
			int code = Integer.parseInt(path.substring("/status/".length()));
			return new MockResponse.Builder().code(code).body(code + "\n").build();
		}
		if (path.startsWith("/bytes/")) {
			int count = Integer.parseInt(path.substring("/bytes/".length()));
			Buffer body = new Buffer();
			for (int i = 0; i < count; i++) {
				body.writeByte('a' + (i % 26));
			}
			return new MockResponse.Builder().code(200).body(body).build();
		}
		if (path.startsWith("/delay/")) {
			long seconds = Long.parseLong(path.substring("/delay/".length()));
			return new MockResponse.Builder().code(200).headersDelay(seconds, TimeUnit.SECONDS).body("late").build();
		}
		if (path.equals("/echo")) {
			Buffer body = new Buffer();
			if (request.getBody() != null) {
				body.write(request.getBody());
			}
			return new MockResponse.Builder().code(200).body(body).build();
		}
		return new MockResponse.Builder().code(404).body("not found").build();
	}

}
