package io.securestreams.testsupport;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The relay's hold must be exact, since tests count on it to keep acknowledgements in flight: a
 * read already pending towards the target when the hold begins must not let a reply through.
 */
class TcpRelayTests {

	@Test
	void repliesSentAfterTheHoldBeganArriveOnlyOnceReleasedAndInOrder() throws Exception {
		try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				TcpRelay relay = new TcpRelay(target.getLocalPort());
				Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.port());
				Socket accepted = target.accept()) {
			client.setSoTimeout(2000);
			OutputStream targetOut = accepted.getOutputStream();
			InputStream clientIn = client.getInputStream();
			targetOut.write('a');
			assertThat(clientIn.read()).isEqualTo('a');
			// The relay now has a read pending towards the target.
			relay.holdReplies(true);
			client.getOutputStream().write('q');
			assertThat(accepted.getInputStream().read()).as("what the client sends still goes through").isEqualTo('q');
			for (char c : "bcdef".toCharArray()) {
				targetOut.write(c);
				targetOut.flush();
				Thread.sleep(20);
			}
			client.setSoTimeout(300);
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(clientIn::read);
			client.setSoTimeout(2000);
			relay.holdReplies(false);
			assertThat(new String(clientIn.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("bcdef");
			targetOut.write('g');
			assertThat(clientIn.read()).isEqualTo('g');
		}
	}

	@Test
	void aCloseByTheTargetWhileHeldIsPassedOnAfterTheHeldReplies() throws Exception {
		try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				TcpRelay relay = new TcpRelay(target.getLocalPort());
				Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
			client.setSoTimeout(2000);
			relay.holdReplies(true);
			try (Socket accepted = target.accept()) {
				accepted.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
			}
			client.setSoTimeout(300);
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(client.getInputStream()::read);
			client.setSoTimeout(2000);
			relay.holdReplies(false);
			assertThat(client.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("bye");
		}
	}

}
