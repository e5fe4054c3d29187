package io.securestreams.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.policy.AuthScheme;
import io.securestreams.policy.Policy;
import io.securestreams.policy.Protocol;
import io.securestreams.policy.StreamTypeKey;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.protocol.http.RequestHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streamtype keys that the policy parser accepts (every real libwebsockets policy must parse)
 * but this runtime does not act on yet. A stream of a streamtype that sets one is still created,
 * and a warning says which keys are ignored, once per streamtype and set of keys, so that nobody
 * believes, for example, that {@code use_auth} signs their requests.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public final class UnappliedKeys {

	private static final Logger logger = LoggerFactory.getLogger(UnappliedKeys.class);

	/**
	 * What is parsed but not carried out: auth other than sigv4 signing of http requests, long poll
	 * and the h2 tx credit overflow quirk outside h2 client streams, and perf on server streamtypes
	 * (accepted connections are not timed).
	 */
	static final List<StreamTypeKey> NOT_ACTED_ON = List.of(StreamTypeKey.USE_AUTH, StreamTypeKey.AWS_REGION,
			StreamTypeKey.AWS_SERVICE, StreamTypeKey.LONG_POLL, StreamTypeKey.H2Q_OFLOW_TXCR,
			StreamTypeKey.SWAKE_VALIDITY, StreamTypeKey.PERF, StreamTypeKey.PAYLOAD_FMT);

	private final Set<String> warned = ConcurrentHashMap.newKeySet();

	/**
	 * Returns the keys a streamtype sets that this runtime ignores.
	 * @param active the policy the streamtype belongs to (for its {@code auth} schemes)
	 * @param policy the streamtype
	 * @return their JSON names, in table order; empty when there are none
	 */
	public static List<String> of(Policy active, StreamTypePolicy policy) {
		List<String> names = new ArrayList<>();
		boolean signed = signsRequests(active, policy);
		for (StreamTypeKey key : NOT_ACTED_ON) {
			if (key == StreamTypeKey.PERF && !policy.server()) {
				continue;
			}
			if ((key == StreamTypeKey.LONG_POLL || key == StreamTypeKey.H2Q_OFLOW_TXCR) && isH2Client(policy)) {
				continue;
			}
			if (signed && (key == StreamTypeKey.USE_AUTH || key == StreamTypeKey.AWS_REGION
					|| key == StreamTypeKey.AWS_SERVICE)) {
				continue;
			}
			Object value = key.get(policy);
			if (value != null && !Boolean.FALSE.equals(value)) {
				names.add(key.jsonName());
			}
		}
		return names;
	}

	// The h1, h2 and ws bindings sign the requests (upgrade requests) of a client streamtype bound
	// to a sigv4 scheme.
	private static boolean signsRequests(Policy active, StreamTypePolicy policy) {
		AuthScheme scheme = (policy.useAuth() != null) ? active.auth().get(policy.useAuth()) : null;
		return scheme != null && RequestHeaders.SIGV4.equalsIgnoreCase(scheme.type()) && !policy.server()
				&& (policy.protocol() == Protocol.H1 || policy.protocol() == Protocol.H2
						|| policy.protocol() == Protocol.WS);
	}

	private static boolean isH2Client(StreamTypePolicy policy) {
		return policy.protocol() == Protocol.H2 && !policy.server();
	}

	/**
	 * Logs the ignored keys of a streamtype, unless the same keys were reported for it before.
	 * @param active the policy the streamtype belongs to
	 * @param policy the streamtype a stream is being created of
	 * @return whether a warning was logged
	 */
	public boolean warnOnce(Policy active, StreamTypePolicy policy) {
		List<String> names = of(active, policy);
		if (names.isEmpty() || !this.warned.add(policy.name() + names)) {
			return false;
		}
		logger.warn("streamtype '{}' sets {}, which this runtime parses but does not act on; see docs/policy.md",
				policy.name(), names);
		return true;
	}

}
