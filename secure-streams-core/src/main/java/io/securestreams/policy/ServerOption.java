package io.securestreams.policy;

/**
 * One per-listener protocol option ({@code options}) of a server streamtype.
 *
 * @param name the option name
 * @param value the option value as text
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record ServerOption(String name, String value) {
}
