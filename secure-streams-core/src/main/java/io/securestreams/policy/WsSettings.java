package io.securestreams.policy;

import org.jspecify.annotations.Nullable;

/**
 * WebSocket settings of a streamtype.
 *
 * @param subprotocol the subprotocol requested (client) or accepted (server) ({@code ws_subprotocol})
 * @param binary whether messages are sent as BINARY rather than TEXT frames ({@code ws_binary})
 * @param prioritizeReads whether reads are served before writes ({@code ws_prioritize_reads})
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record WsSettings(@Nullable String subprotocol, boolean binary, boolean prioritizeReads) {
}
