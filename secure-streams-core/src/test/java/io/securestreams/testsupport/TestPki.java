package io.securestreams.testsupport;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;

import javax.net.ssl.SSLContext;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.securestreams.policy.PolicyCertificate;

/**
 * Test certificates made at test time: a CA, a server certificate for {@code localhost} and
 * {@code 127.0.0.1} issued by it, and bad ones (wrong host name, expired, self-signed), plus a
 * client certificate. Generated once per JVM.
 */
public final class TestPki {

	private static final class Holder {

		static final X509Bundle CA;

		static final X509Bundle SERVER;

		static final X509Bundle WRONG_HOST;

		static final X509Bundle EXPIRED;

		static final X509Bundle SELF_SIGNED;

		static final X509Bundle CLIENT;

		static {
			try {
				Instant now = Instant.now();
				CA = new CertificateBuilder().subject("CN=Secure Streams Test CA").setIsCertificateAuthority(true)
					.ecp256().notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(3650, ChronoUnit.DAYS))
					.buildSelfSigned();
				SERVER = leaf("CN=localhost", now.plus(365, ChronoUnit.DAYS)).addSanDnsName("localhost")
					.addSanIpAddress("127.0.0.1").addSanIpAddress("::1").addExtendedKeyUsageServerAuth()
					.buildIssuedBy(CA);
				WRONG_HOST = leaf("CN=wrong.example", now.plus(365, ChronoUnit.DAYS)).addSanDnsName("wrong.example")
					.addExtendedKeyUsageServerAuth().buildIssuedBy(CA);
				EXPIRED = new CertificateBuilder().subject("CN=localhost").ecp256()
					.notBefore(now.minus(30, ChronoUnit.DAYS)).notAfter(now.minus(1, ChronoUnit.DAYS))
					.addSanDnsName("localhost").addSanIpAddress("127.0.0.1").addExtendedKeyUsageServerAuth()
					.buildIssuedBy(CA);
				// A self-signed certificate must be a CA for the test PKI builder; it is still not one we trust.
				SELF_SIGNED = leaf("CN=localhost", now.plus(365, ChronoUnit.DAYS)).setIsCertificateAuthority(true)
					.addSanDnsName("localhost").addSanIpAddress("127.0.0.1").buildSelfSigned();
				CLIENT = leaf("CN=device-0001", now.plus(365, ChronoUnit.DAYS)).addExtendedKeyUsageClientAuth()
					.buildIssuedBy(CA);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}

		private static CertificateBuilder leaf(String subject, Instant notAfter) {
			return new CertificateBuilder().subject(subject).ecp256().notBefore(Instant.now().minus(1, ChronoUnit.DAYS))
				.notAfter(notAfter);
		}

	}

	private TestPki() {
	}

	public static X509Bundle ca() {
		return Holder.CA;
	}

	public static X509Bundle server() {
		return Holder.SERVER;
	}

	public static X509Bundle wrongHost() {
		return Holder.WRONG_HOST;
	}

	public static X509Bundle expired() {
		return Holder.EXPIRED;
	}

	public static X509Bundle selfSigned() {
		return Holder.SELF_SIGNED;
	}

	public static X509Bundle client() {
		return Holder.CLIENT;
	}

	/**
	 * Returns a certificate as a policy writes it in {@code certs}: base64 of the DER.
	 * @param certificate the certificate
	 * @return the base64 text
	 */
	public static String derBase64(X509Certificate certificate) {
		try {
			return Base64.getEncoder().encodeToString(certificate.getEncoded());
		}
		catch (CertificateEncodingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Returns a bundle's private key as a policy writes it in {@code certs}: base64 of the PKCS#8 DER.
	 * @param bundle the certificate and key
	 * @return the base64 text
	 */
	public static String keyBase64(X509Bundle bundle) {
		return Base64.getEncoder().encodeToString(bundle.getKeyPair().getPrivate().getEncoded());
	}

	/**
	 * Returns the CA as a policy {@code certs} entry.
	 * @param name the entry name
	 * @return the entry
	 */
	public static PolicyCertificate caEntry(String name) {
		try {
			return PolicyCertificate.fromDer(name, ca().getCertificate().getEncoded());
		}
		catch (CertificateEncodingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Returns a server-side JDK SSL context presenting a bundle's certificate.
	 * @param bundle the certificate and key
	 * @return the context
	 */
	public static SSLContext serverContext(X509Bundle bundle) {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(bundle.toKeyManagerFactory().getKeyManagers(), ca().toTrustManagerFactory().getTrustManagers(),
					null);
			return context;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
