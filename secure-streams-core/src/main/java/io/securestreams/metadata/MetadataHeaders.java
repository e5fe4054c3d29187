package io.securestreams.metadata;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import io.securestreams.policy.MetadataDeclaration;
import io.securestreams.policy.StreamTypePolicy;

/**
 * The http headers a stream's metadata maps to (reference §6.3), for requests of clients and
 * responses of servers alike: each declared name mapped to a header name ({@code "ctype":
 * "content-type:"}) that has a value, and, with {@code direct_proto_str}, each raw header name
 * the application set ({@code "x-custom:"}). The peer's headers are never among them.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class MetadataHeaders {

	private MetadataHeaders() {
	}

	/**
	 * Calls {@code header} for every header the metadata maps to, with the value's bytes as set,
	 * for a caller that sends them unchanged.
	 * @param policy the streamtype
	 * @param metadata the stream's metadata values
	 * @param header receives each header name (without colon) and value
	 */
	public static void forEachBytes(StreamTypePolicy policy, MetadataValues metadata,
			BiConsumer<String, byte[]> header) {
		for (MetadataDeclaration declaration : policy.metadata()) {
			byte[] value = declaration.isMapped() ? metadata.ownValue(declaration.name()) : null;
			if (value != null) {
				header.accept(declaration.headerName(), value);
			}
		}
		if (policy.directProtoStr()) {
			// In name order, so that the wire order does not change from run to run.
			for (Map.Entry<String, byte[]> entry : new TreeMap<>(metadata.snapshot()).entrySet()) {
				String name = entry.getKey();
				if (name.endsWith(":") && policy.metadata(name) == null) {
					header.accept(name.substring(0, name.length() - 1), entry.getValue());
				}
			}
		}
	}

}
