package io.securestreams.policy;

import java.util.Objects;

/**
 * A metadata name a streamtype declares, with the protocol item it maps to.
 *
 * @param name the metadata name used with {@code setMetadata} and in {@code ${name}}
 * @param mapping the protocol mapping, for http a header name ending in {@code :} such as
 * {@code content-type:}; empty when the item is not mapped
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record MetadataDeclaration(String name, String mapping) {

	/**
	 * Checks both parts, so that every declaration is valid and lists of them need no second
	 * look at their entries.
	 * @param name the metadata name used with {@code setMetadata} and in {@code ${name}}
	 * @param mapping the protocol mapping, for http a header name ending in {@code :} such as
	 * {@code content-type:}; empty when the item is not mapped
	 * @throws IllegalArgumentException when the name is empty, too long or holds {@code $ { }}
	 * or whitespace, or the mapping is neither empty nor a header name
	 */
	public MetadataDeclaration {
		StreamTypeValues.checkMetadataName(Objects.requireNonNull(name, "name"));
		StreamTypeValues.checkMetadataMapping(Objects.requireNonNull(mapping, "mapping"));
	}

	/**
	 * Returns whether the item maps to a protocol header.
	 * @return {@code true} when {@link #mapping()} is not empty
	 */
	public boolean isMapped() {
		return !this.mapping.isEmpty();
	}

	/**
	 * Returns the mapped header name without its trailing colon.
	 * @return the header name, or an empty string when unmapped
	 */
	public String headerName() {
		return this.mapping.endsWith(":") ? this.mapping.substring(0, this.mapping.length() - 1) : this.mapping;
	}

}
