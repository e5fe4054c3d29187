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

}
