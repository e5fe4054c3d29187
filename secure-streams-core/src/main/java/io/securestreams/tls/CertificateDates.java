package io.securestreams.tls;

import java.security.cert.X509Certificate;
import java.util.Date;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns about a client certificate presented outside its validity period. It is still presented,
 * as libwebsockets presents it (a server may not check the dates), but a server that checks them
 * refuses the handshake with an alert such as {@code certificate_unknown}, which says nothing of
 * why; the warning names the certificate and the date. It is given once per TLS context built,
 * not per connection.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class CertificateDates {

	private static final Logger logger = LoggerFactory.getLogger(TlsContexts.class);

	private CertificateDates() {
	}

	/**
	 * Logs a warning when the leaf certificate has expired or is not valid yet.
	 * @param streamType the streamtype the context is built for
	 * @param index the client certificate index
	 * @param leaf the certificate presented
	 */
	static void warnIfOutside(String streamType, @Nullable Integer index, X509Certificate leaf) {
		Date now = new Date();
		String problem = null;
		if (now.after(leaf.getNotAfter())) {
			problem = "expired at " + leaf.getNotAfter().toInstant();
		}
		else if (now.before(leaf.getNotBefore())) {
			problem = "is not valid before " + leaf.getNotBefore().toInstant();
		}
		if (problem != null) {
			logger.warn("streamtype '{}': client certificate {} ({}) {}; a server that checks the dates will refuse "
					+ "the handshake", streamType, index, leaf.getSubjectX500Principal(), problem);
		}
	}

}
