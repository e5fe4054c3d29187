package io.securestreams.policy;

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
