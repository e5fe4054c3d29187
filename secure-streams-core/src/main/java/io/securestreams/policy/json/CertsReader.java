package io.securestreams.policy.json;

import java.util.Base64;

import io.securestreams.pki.KeyMaterial;
import io.securestreams.policy.PolicyCertificate;
import io.securestreams.policy.json.ReferenceTracker.Section;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonToken;

/**
 * Reads the {@code certs} section: {@code [{"name": "<base64 DER>", ...}, ...]}. Each value must
 * decode to a DER X.509 certificate or a DER private key. Messages never quote the value.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class CertsReader {

	/** Logical path prefix of a certs entry in the {@link LocationMap}. */
	static final String CERTS_PREFIX = "certs.";

	private CertsReader() {
	}

	static void read(ReadContext context) {
		JsonCursor cursor = context.cursor;
		if (!cursor.isArray()) {
			cursor.unexpected("an array of certificate objects");
			return;
		}
		cursor.elements((index) -> {
			if (!cursor.isObject()) {
				cursor.unexpected("an object of named base64 DER certificates or keys");
				return;
			}
			cursor.fields((name, line, column) -> entry(context, name, line, column));
		});
	}

	private static void entry(ReadContext context, String name, int line, int column) {
		JsonCursor cursor = context.cursor;
		String path = cursor.path();
		boolean usable = context.define(Section.CERTS, name, line, column, path);
		PolicyCertificate certificate = decode(context, name);
		if (certificate != null && usable) {
			context.fragment.certificate(certificate);
			// Where a server's key pair that an overlay broke is reported (see ValidatorProblems).
			context.locations.put(CERTS_PREFIX + name, path, line, column);
		}
		else if (usable) {
			context.references.invalid(Section.CERTS, name);
		}
	}

	private static @Nullable PolicyCertificate decode(ReadContext context, String name) {
		JsonCursor cursor = context.cursor;
		int line = cursor.line();
		int column = cursor.column();
		if (cursor.token() != JsonToken.VALUE_STRING) {
			// Describe the shape only: a mistyped value could still be key material.
			Object value = cursor.value();
			String found = (value instanceof Number) ? "a number" : JsonCursor.describe(value);
			context.problems().error(line, column, cursor.path(), "expected a base64 DER string, got " + found);
			return null;
		}
		byte[] der;
		try {
			der = Base64.getDecoder().decode(asBasicBase64(cursor.text()));
		}
		catch (IllegalArgumentException ex) {
			context.problems().error(line, column, cursor.path(),
					"expected base64 DER (the text between the PEM BEGIN and END lines), got a string that is not "
							+ "valid base64");
			return null;
		}
		try {
			return PolicyCertificate.fromDer(name, der);
		}
		catch (IllegalArgumentException ex) {
			context.problems().error(line, column, cursor.path(),
					KeyMaterial.isEncryptedPrivateKey(der) ? "the base64 DER " + ex.getMessage()
							: "expected base64 DER of an X.509 certificate or a private key, got base64 that decodes "
									+ "to neither");
			return null;
		}
	}

	// libwebsockets' decoder skips line feeds, so the body of a PEM file can be given with its
	// line breaks, and reads the URL-safe alphabet too: both become the basic alphabet on one
	// line. Anything else outside it, a carriage return included, lws refuses as well.
	private static String asBasicBase64(String text) {
		if (text.indexOf('\n') < 0 && text.indexOf('-') < 0 && text.indexOf('_') < 0) {
			return text;
		}
		StringBuilder basic = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c != '\n') {
				basic.append((c == '-') ? '+' : (c == '_') ? '/' : c);
			}
		}
		return basic.toString();
	}

}
