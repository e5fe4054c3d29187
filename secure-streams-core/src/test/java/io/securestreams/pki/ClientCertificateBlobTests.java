package io.securestreams.pki;

import java.nio.charset.StandardCharsets;

import io.netty.pkitesting.X509Bundle;
import io.securestreams.SystemBlobs;
import io.securestreams.SystemBlobs.ClientCertificate;
import io.securestreams.testsupport.TestPki;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A client certificate is stored with its key as one pair: a key that is not the leaf
 * certificate's is refused where it is stored (before, only the server's handshake alert told),
 * and the pair stored before stays.
 */
class ClientCertificateBlobTests {

	private static byte[] chain(X509Bundle bundle) throws Exception {
		return bundle.getCertificatePathPEM().getBytes(StandardCharsets.US_ASCII);
	}

	private static byte[] key(X509Bundle bundle) throws Exception {
		return bundle.getPrivateKeyPEM().getBytes(StandardCharsets.US_ASCII);
	}

	@Test
	void aKeyThatIsNotTheCertificatesIsRefusedAndTheStoredPairKept() throws Exception {
		SystemBlobs blobs = new SystemBlobs().clientCertificate(0, chain(TestPki.client()), key(TestPki.client()));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> blobs.clientCertificate(0, chain(TestPki.client()), key(TestPki.server())))
			.withMessageContaining("client certificate 0: the private key does not belong to the leaf certificate");
		ClientCertificate stored = blobs.clientCertificate(0);
		assertThat(stored).isNotNull();
		assertThat(KeyPairCheck.matches(stored.chain().get(0).getPublicKey(), stored.privateKey())).isTrue();
	}

	@Test
	void anUnreadablePartIsNamedWithItsIndexAndTheStoredPairKept() throws Exception {
		SystemBlobs blobs = new SystemBlobs().clientCertificate(3, chain(TestPki.client()), key(TestPki.client()));
		// The two arguments swapped: each is readable, but not as what it is passed for.
		assertThatIllegalArgumentException()
			.isThrownBy(() -> blobs.clientCertificate(3, key(TestPki.client()), chain(TestPki.client())))
			.withMessage("client certificate 3: the certificate chain is unreadable: the PEM text holds a private key, "
					+ "not a certificate");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> blobs.clientCertificate(3, chain(TestPki.client()), new byte[] { 1, 2, 3 }))
			.withMessageStartingWith("client certificate 3: the private key is unreadable: ");
		assertThat(blobs.get(SystemBlobs.Type.CLIENT_CERT, 3)).isEqualTo(chain(TestPki.client()));
		assertThat(blobs.get(SystemBlobs.Type.CLIENT_KEY, 3)).isEqualTo(key(TestPki.client()));
	}

	@Test
	void aPairStoredSlotBySlotThatCannotBeUsedIsNamedWhenRead() throws Exception {
		// The raw setters cannot check a pair (each stores one half), so reading it must say
		// which blob is at fault: the connection attempt that reads it logs this message.
		SystemBlobs blobs = new SystemBlobs().set(SystemBlobs.Type.CLIENT_CERT, 1, key(TestPki.client()))
			.set(SystemBlobs.Type.CLIENT_KEY, 1, key(TestPki.client()));
		assertThatIllegalArgumentException().isThrownBy(() -> blobs.clientCertificate(1))
			.withMessage("client certificate 1: the certificate chain is unreadable: the PEM text holds a private key, "
					+ "not a certificate");
		blobs.set(SystemBlobs.Type.CLIENT_CERT, 1, chain(TestPki.client()))
			.set(SystemBlobs.Type.CLIENT_KEY, 1, chain(TestPki.client()));
		assertThatIllegalArgumentException().isThrownBy(() -> blobs.clientCertificate(1))
			.withMessage("client certificate 1: the private key is unreadable: the PEM text holds a certificate, not a "
					+ "private key");
	}

}
