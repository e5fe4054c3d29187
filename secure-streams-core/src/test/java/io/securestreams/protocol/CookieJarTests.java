package io.securestreams.protocol;

import java.net.InetSocketAddress;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.securestreams.transport.ConnectTarget;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cookie jar behind {@code http_cookies} stays bounded whatever servers set.
 */
class CookieJarTests {

	private static final ConnectTarget TARGET = new ConnectTarget(InetSocketAddress.createUnresolved("127.0.0.1", 80),
			"127.0.0.1", 80, false, "/x?q=1", null);

	@Test
	void aServerSettingEverNewCookiesKeepsOnlyTheNewestOfTheBound() {
		CookieJar jar = new CookieJar();
		for (int i = 0; i < CookieJar.MAX_COOKIES + 500; i++) {
			jar.keepCookies(TARGET, new DefaultHttpHeaders().add("set-cookie", "c" + i + "=v; Path=/"));
		}
		assertThat(jar.size()).isEqualTo(CookieJar.MAX_COOKIES);
		HttpHeaders request = new DefaultHttpHeaders();
		jar.addCookies(TARGET, request);
		assertThat(request.get("cookie")).contains("c" + (CookieJar.MAX_COOKIES + 499) + "=v")
			.doesNotContain("c0=v;").doesNotStartWith("c0=v");
	}

}
