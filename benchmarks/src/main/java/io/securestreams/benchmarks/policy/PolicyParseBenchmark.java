package io.securestreams.benchmarks.policy;

import java.util.concurrent.TimeUnit;

import io.securestreams.policy.Policy;
import io.securestreams.policy.json.PolicyParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parsing a 1,000-streamtype policy with {@link PolicyParser} (streaming read, checks, merge,
 * validation, located problems) against a plain Jackson tree parse of the same bytes, the
 * least any JSON-based reader must do.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PolicyParseBenchmark {

	@Param("1000")
	public int streamTypes;

	private final PolicyParser parser = new PolicyParser();

	private final JsonMapper mapper = JsonMapper.builder().enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();

	private byte[] json = new byte[0];

	@Setup
	public void generate() {
		this.json = BenchmarkPolicies.generate(this.streamTypes);
		if (this.parser.parse("benchmark", this.json).policy().streamTypes().size() != this.streamTypes) {
			throw new IllegalStateException("generated policy lost streamtypes");
		}
	}

	@Benchmark
	public Policy policyParser() {
		return this.parser.parse("benchmark", this.json).policy();
	}

	@Benchmark
	public JsonNode jacksonTree() {
		return this.mapper.readTree(this.json);
	}

}
