package io.securestreams.server;

import java.util.EnumMap;
import java.util.Map;

import io.securestreams.SecureStreamsException;
import io.securestreams.policy.Protocol;
import io.securestreams.server.h1.H1ServerProtocol;
import io.securestreams.server.h2.H2ServerProtocol;
import io.securestreams.server.raw.RawServerProtocol;

/**
 * The server protocol bindings this runtime supports: {@code h1} (which also accepts ws
 * upgrades when the streamtype has {@code ws_subprotocol}), {@code ws} (served the same way,
 * accepting upgrades with or without a subprotocol), {@code h2} (falling back to the h1 binding
 * for clients that do not speak h2) and {@code raw}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ServerProtocols {

	private final Map<Protocol, ServerProtocol> bindings = new EnumMap<>(Protocol.class);

	/**
	 * Creates the registry with every built-in binding.
	 * @return the registry
	 */
	public static ServerProtocols builtIn() {
		ServerProtocols protocols = new ServerProtocols();
		H1ServerProtocol h1 = new H1ServerProtocol();
		protocols.bindings.put(Protocol.H1, h1);
		protocols.bindings.put(Protocol.WS, h1);
		protocols.bindings.put(Protocol.H2, new H2ServerProtocol(h1));
		protocols.bindings.put(Protocol.RAW, new RawServerProtocol());
		return protocols;
	}

	/**
	 * Returns the binding for a protocol.
	 * @param protocol the protocol
	 * @return the binding
	 * @throws SecureStreamsException if this runtime cannot serve the protocol
	 */
	public ServerProtocol forProtocol(Protocol protocol) {
		ServerProtocol binding = this.bindings.get(protocol);
		if (binding == null) {
			throw new SecureStreamsException("protocol '" + protocol.jsonName()
					+ "' is not supported by this runtime for server streamtypes (supported: "
					+ this.bindings.keySet().stream().map(Protocol::jsonName).toList() + ")");
		}
		return binding;
	}

}
