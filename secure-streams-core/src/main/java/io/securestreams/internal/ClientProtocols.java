package io.securestreams.internal;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.securestreams.SecureStreamsException;
import io.securestreams.policy.Policy;
import io.securestreams.policy.PolicyProblem;
import io.securestreams.policy.Protocol;
import io.securestreams.protocol.ClientProtocol;
import io.securestreams.protocol.h1.H1ClientProtocol;
import io.securestreams.protocol.h2.H2ClientProtocol;
import io.securestreams.protocol.mqtt.MqttClientProtocol;
import io.securestreams.protocol.raw.RawClientProtocol;
import io.securestreams.protocol.ws.WsClientProtocol;

/**
 * The client protocol bindings this runtime supports.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class ClientProtocols {

	private final Map<Protocol, ClientProtocol> bindings = new EnumMap<>(Protocol.class);

	/**
	 * Creates the registry with every built-in binding.
	 * @return the registry
	 */
	public static ClientProtocols builtIn() {
		ClientProtocols protocols = new ClientProtocols();
		protocols.bindings.put(Protocol.H1, new H1ClientProtocol());
		protocols.bindings.put(Protocol.H2, new H2ClientProtocol());
		protocols.bindings.put(Protocol.WS, new WsClientProtocol());
		protocols.bindings.put(Protocol.RAW, new RawClientProtocol());
		protocols.bindings.put(Protocol.MQTT, new MqttClientProtocol());
		return protocols;
	}

	/**
	 * Returns the binding for a protocol.
	 * @param protocol the protocol
	 * @return the binding
	 * @throws SecureStreamsException if this runtime cannot carry the protocol
	 */
	public ClientProtocol forProtocol(Protocol protocol) {
		ClientProtocol binding = this.bindings.get(protocol);
		if (binding == null) {
			throw new SecureStreamsException("protocol '" + protocol.jsonName()
					+ "' is not supported by this runtime for client streams (supported: "
					+ this.bindings.keySet().stream().map(Protocol::jsonName).toList() + ")");
		}
		return binding;
	}

	/**
	 * Tells every binding that a client stream was destroyed; a binding that kept nothing for it
	 * ignores the call.
	 * @param streamId the stream's id
	 */
	public void streamDestroyed(long streamId) {
		for (ClientProtocol binding : this.bindings.values()) {
			binding.streamDestroyed(streamId);
		}
	}

	/**
	 * Asks every binding what a change of the policy in force would break
	 * ({@link ClientProtocol#checkChange}).
	 * @param before the policy in force
	 * @param after the policy the change makes
	 * @return the problems, empty when there are none
	 */
	public List<PolicyProblem> checkChange(Policy before, Policy after) {
		List<PolicyProblem> problems = new ArrayList<>();
		for (ClientProtocol binding : new LinkedHashSet<>(this.bindings.values())) {
			problems.addAll(binding.checkChange(before, after));
		}
		return problems;
	}

	/**
	 * Returns whether a protocol is supported.
	 * @param protocol the protocol
	 * @return {@code true} when a binding exists
	 */
	public boolean supports(Protocol protocol) {
		return this.bindings.containsKey(protocol);
	}

}
