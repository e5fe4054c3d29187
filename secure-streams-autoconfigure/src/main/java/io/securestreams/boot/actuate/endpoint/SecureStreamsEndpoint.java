package io.securestreams.boot.actuate.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import io.securestreams.SecureStreams;
import io.securestreams.StreamInfo;
import io.securestreams.StreamRole;
import io.securestreams.policy.StreamTypePolicy;
import io.securestreams.smd.SmdStream;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@link Endpoint @Endpoint} that lists every live stream (id, streamtype, state, time in
 * state, retries, bytes in and out, peer) with a summary per streamtype; one streamtype by
 * {@link Selector @Selector}.
 * <p>
 * In proxied mode the policy is the proxy's and the context's own is empty, so the streamtypes
 * summarized are those of the live streams, with no protocol (the proxy's policy decides it).
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@Endpoint(id = "securestreams")
public class SecureStreamsEndpoint {

	private final SecureStreams streams;

	/**
	 * Creates the endpoint.
	 * @param streams the context to report on
	 */
	public SecureStreamsEndpoint(SecureStreams streams) {
		this.streams = streams;
	}

	/**
	 * Returns every live stream and a summary of every streamtype of the active policy, and of the
	 * built-in {@code _lws_smd} while it has streams; in proxied mode, of every streamtype that
	 * has live streams.
	 * @return the streams
	 */
	@ReadOperation
	public StreamsDescriptor streams() {
		Instant now = Instant.now();
		List<StreamInfo> infos = this.streams.streams();
		Map<String, StreamTypeDescriptor> types = new LinkedHashMap<>();
		if (this.streams.isProxied()) {
			for (String name : new TreeSet<>(infos.stream().map(StreamInfo::streamType).toList())) {
				types.put(name, proxiedSummary(name, infos));
			}
		}
		else {
			for (StreamTypePolicy type : this.streams.policy().streamTypes().values()) {
				types.put(type.name(), summary(type.name(), type.protocol().jsonName(), type.server(), infos));
			}
			if (infos.stream().anyMatch((info) -> info.streamType().equals(SmdStream.STREAMTYPE))) {
				types.put(SmdStream.STREAMTYPE, smdSummary(infos));
			}
		}
		return new StreamsDescriptor(infos.stream().map((info) -> StreamDescriptor.of(info, now)).toList(), types);
	}

	/**
	 * Returns one streamtype's summary and live streams.
	 * @param streamtype the streamtype name
	 * @return the streamtype, or {@code null} (404) when the active policy has no such streamtype
	 * and it is not the built-in {@code _lws_smd}; in proxied mode, when it has no live streams
	 */
	@ReadOperation
	public @Nullable StreamTypeStreamsDescriptor streamType(@Selector String streamtype) {
		Instant now = Instant.now();
		List<StreamInfo> infos = this.streams.streams()
			.stream()
			.filter((info) -> info.streamType().equals(streamtype))
			.toList();
		StreamTypeDescriptor summary;
		if (this.streams.isProxied()) {
			if (infos.isEmpty()) {
				return null;
			}
			summary = proxiedSummary(streamtype, infos);
		}
		else {
			StreamTypePolicy type = this.streams.policy().streamType(streamtype);
			if (type == null && !SmdStream.STREAMTYPE.equals(streamtype)) {
				return null;
			}
			summary = (type != null) ? summary(type.name(), type.protocol().jsonName(), type.server(), infos)
					: smdSummary(infos);
		}
		return new StreamTypeStreamsDescriptor(streamtype, summary,
				infos.stream().map((info) -> StreamDescriptor.of(info, now)).toList());
	}

	// The built-in system message streamtype has no policy entry; "smd" stands for its protocol.
	private static StreamTypeDescriptor smdSummary(List<StreamInfo> infos) {
		return summary(SmdStream.STREAMTYPE, "smd", false, infos);
	}

	// The proxy's policy says which protocol carries a streamtype; all the client knows is whether
	// its streams listen or were accepted.
	private static StreamTypeDescriptor proxiedSummary(String name, List<StreamInfo> infos) {
		if (SmdStream.STREAMTYPE.equals(name)) {
			return smdSummary(infos);
		}
		boolean server = infos.stream()
			.anyMatch((info) -> info.streamType().equals(name)
					&& (info.role() == StreamRole.LISTENER || info.role() == StreamRole.ACCEPTED));
		return summary(name, null, server, infos);
	}

	private static StreamTypeDescriptor summary(String name, @Nullable String protocol, boolean server,
			List<StreamInfo> infos) {
		Map<String, Integer> states = new TreeMap<>();
		int count = 0;
		long retries = 0;
		long bytesIn = 0;
		long bytesOut = 0;
		for (StreamInfo info : infos) {
			if (info.streamType().equals(name)) {
				count++;
				retries += info.retries();
				bytesIn += info.bytesIn();
				bytesOut += info.bytesOut();
				states.merge(String.valueOf(info.state()), 1, Integer::sum);
			}
		}
		return new StreamTypeDescriptor(protocol, server, count, states, retries, bytesIn, bytesOut);
	}

	/**
	 * Every live stream and every streamtype.
	 *
	 * @param streams the live streams
	 * @param streamTypes a summary per streamtype of the active policy (in proxied mode, per
	 * streamtype of the live streams)
	 */
	public record StreamsDescriptor(List<StreamDescriptor> streams,
			Map<String, StreamTypeDescriptor> streamTypes) implements OperationResponseBody {
	}

	/**
	 * One streamtype with its live streams.
	 *
	 * @param name the streamtype
	 * @param summary its summary
	 * @param streams its live streams
	 */
	public record StreamTypeStreamsDescriptor(String name, StreamTypeDescriptor summary,
			List<StreamDescriptor> streams) implements OperationResponseBody {
	}

	/**
	 * A summary of one streamtype.
	 *
	 * @param protocol the wire protocol, or {@code null} in proxied mode, where the proxy's policy
	 * decides it
	 * @param server whether it is a server streamtype
	 * @param streams how many live streams it has
	 * @param states how many of them are in each state
	 * @param retries their failed attempts since their last connection
	 * @param bytesIn payload bytes they received
	 * @param bytesOut payload bytes they sent
	 */
	public record StreamTypeDescriptor(@Nullable String protocol, boolean server, int streams,
			Map<String, Integer> states, long retries, long bytesIn, long bytesOut) {
	}

	/**
	 * One live stream.
	 *
	 * @param id the stream id
	 * @param streamType the streamtype
	 * @param role CLIENT, LISTENER, ACCEPTED or PROXIED
	 * @param state the last reported state
	 * @param stateSince when that state was reported
	 * @param timeInStateMillis how long the stream has been in that state
	 * @param retries failed attempts since the last successful connection
	 * @param bytesIn payload bytes received
	 * @param bytesOut payload bytes sent
	 * @param peer the connected peer address
	 * @param listenerId for an accepted stream, the id of its listener
	 * @param httpStatus the status of the last http response the stream received
	 */
	public record StreamDescriptor(long id, String streamType, String role, @Nullable String state, Instant stateSince,
			long timeInStateMillis, int retries, long bytesIn, long bytesOut, @Nullable String peer,
			@Nullable Long listenerId, @Nullable Integer httpStatus) {

		static StreamDescriptor of(StreamInfo info, Instant now) {
			return new StreamDescriptor(info.id(), info.streamType(), info.role().name(), info.state(),
					info.stateSince(), Math.max(0, Duration.between(info.stateSince(), now).toMillis()), info.retries(),
					info.bytesIn(), info.bytesOut(), info.peer(), (info.listenerId() != 0) ? info.listenerId() : null,
					(info.httpStatus() != 0) ? info.httpStatus() : null);
		}

	}

}
