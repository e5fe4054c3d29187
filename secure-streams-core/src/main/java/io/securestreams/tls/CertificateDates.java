package io.securestreams.tls;

import java.security.cert.X509Certificate;
import java.util.Date;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about a certificate presented outside its validity period: a client certificate, or a
 * server streamtype's {@code server_cert}. It is still presented, as libwebsockets presents it (a
 * peer may not check the dates), but a peer that checks them refuses the handshake with an alert
 * such as {@code certificate_unknown}, which says nothing of why on the side presenting it; the
 * warning names the certificate and the date. It is given once per TLS context built, not per
 * connection.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class CertificateDates {

	private static final Logger logger = LoggerFactory.getLogger(TlsContexts.class);

	private CertificateDates() {
	}

	/**
	 * Logs a warning when a client certificate has expired or is not valid yet.
	 * @param streamType the streamtype the context is built for
	 * @param index the client certificate index
	 * @param leaf the certificate presented
	 */
	static void warnIfOutside(String streamType, @Nullable Integer index, X509Certificate leaf) {
		String problem = problem(leaf);
		if (problem != null) {
			logger.warn("streamtype '{}': client certificate {} ({}) {}; a server that checks the dates will refuse "
					+ "the handshake", streamType, index, leaf.getSubjectX500Principal(), problem);
		}
	}

	/**
	 * Logs a warning when a server streamtype's certificate has expired or is not valid yet.
	 * @param streamType the server streamtype the context is built for
	 * @param certName the policy's certs entry named by {@code server_cert}
	 * @param certificate the certificate served
	 */
	static void warnIfServerCertificateOutside(String streamType, String certName, X509Certificate certificate) {
		String problem = problem(certificate);
		if (problem != null) {
			logger.warn("server streamtype '{}': server_cert '{}' ({}) {}; clients that check the dates, as "
					+ "libwebsockets' and browsers do, will refuse the handshake", streamType, certName,
					certificate.getSubjectX500Principal(), problem);
		}
	}

	private static @Nullable String problem(X509Certificate certificate) {
		Date now = new Date();
		if (now.after(certificate.getNotAfter())) {
			return "expired at " + certificate.getNotAfter().toInstant();
		}
		if (now.before(certificate.getNotBefore())) {
			return "is not valid before " + certificate.getNotBefore().toInstant();
		}
		return null;
	}

}
