package io.securestreams.protocol;

import java.net.InetSocketAddress;
import java.time.Duration;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.securestreams.transport.ConnectTarget;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cookie jar behind {@code http_cookies} stays bounded whatever servers set, and sends a
 * cookie only to the hosts RFC 6265 gives it to.
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

	@Test
	void aCookieWithoutDomainGoesBackToTheVeryHostThatSetItOnly() {
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("example.com", "/"), new DefaultHttpHeaders().add("set-cookie", "sid=1"));
		assertThat(cookies(jar, target("example.com", "/"))).isEqualTo("sid=1");
		assertThat(cookies(jar, target("evilexample.com", "/"))).isNull();
		assertThat(cookies(jar, target("www.example.com", "/"))).isNull();
	}

	@Test
	void aDomainCookieFromASubdomainIsKeptForTheWholeDomain() {
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("www.example.com", "/login"),
				new DefaultHttpHeaders().add("set-cookie", "sid=1; Domain=example.com; Path=/"));
		assertThat(cookies(jar, target("example.com", "/"))).isEqualTo("sid=1");
		assertThat(cookies(jar, target("a.b.example.com", "/x"))).isEqualTo("sid=1");
		assertThat(cookies(jar, target("notexample.com", "/"))).isNull();
	}

	@Test
	void aCookieForAnotherDomainOrForPartOfAnAddressIsRefused() {
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("example.com", "/"),
				new DefaultHttpHeaders().add("set-cookie", "a=1; Domain=other.com; Path=/"));
		jar.keepCookies(target("127.0.0.1", "/"),
				new DefaultHttpHeaders().add("set-cookie", "b=1; Domain=.0.0.1; Path=/"));
		assertThat(jar.size()).isZero();
		assertThat(cookies(jar, target("other.com", "/"))).isNull();
		assertThat(cookies(jar, target("10.0.0.1", "/"))).isNull();
	}

	@Test
	void aCookieForATopLevelDomainIsRefused() {
		// Without a public suffix list, a domain of one label (com, local) is taken as one: a cookie
		// set for it would go to every host under it.
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("example.com", "/"), new DefaultHttpHeaders().add("set-cookie", "sid=1; Domain=com"));
		jar.keepCookies(target("printer.local", "/"), new DefaultHttpHeaders().add("set-cookie", "p=1; Domain=.local"));
		assertThat(cookies(jar, target("other.com", "/"))).isNull();
		assertThat(cookies(jar, target("example.com", "/"))).isNull();
		assertThat(cookies(jar, target("nas.local", "/"))).isNull();
		jar.keepCookies(target("localhost", "/"),
				new DefaultHttpHeaders().add("set-cookie", "own=1; Domain=localhost"));
		assertThat(cookies(jar, target("localhost", "/"))).isEqualTo("own=1");
	}

	@Test
	void aPathCookieGoesToItsPathAndBelowOnly() {
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("example.com", "/login"),
				new DefaultHttpHeaders().add("set-cookie", "api=1; Path=/api").add("set-cookie", "all=1; Path=/"));
		assertThat(cookies(jar, target("example.com", "/api/v1?q=1"))).isEqualTo("api=1; all=1");
		assertThat(cookies(jar, target("example.com", "/api"))).isEqualTo("api=1; all=1");
		assertThat(cookies(jar, target("example.com", "/apix"))).isEqualTo("all=1");
	}

	@Test
	void maxAgeZeroRemovesACookieAndSecureOnesGoOnlyOverTls() {
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("example.com", "/"), new DefaultHttpHeaders().add("set-cookie", "a=1; Path=/")
			.add("set-cookie", "s=1; Path=/; Secure"));
		assertThat(cookies(jar, target("example.com", "/"))).isEqualTo("a=1");
		assertThat(cookies(jar, new ConnectTarget(InetSocketAddress.createUnresolved("example.com", 443),
				"example.com", 443, true, "/", null))).isEqualTo("a=1; s=1");
		jar.keepCookies(target("example.com", "/"),
				new DefaultHttpHeaders().add("set-cookie", "a=1; Path=/; Max-Age=0"));
		assertThat(cookies(jar, target("example.com", "/"))).isNull();
	}

	@Test
	void aNegativeMaxAgeRemovesACookieAsZeroDoes() {
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("example.com", "/"), new DefaultHttpHeaders().add("set-cookie", "a=1; Path=/"));
		jar.keepCookies(target("example.com", "/"),
				new DefaultHttpHeaders().add("set-cookie", "a=1; Path=/; Max-Age=-5"));
		jar.keepCookies(target("example.com", "/"), new DefaultHttpHeaders().add("set-cookie", "b=1; Max-Age=-1"));
		assertThat(cookies(jar, target("example.com", "/"))).isNull();
		assertThat(jar.size()).isZero();
	}

	@Test
	void maxAgeOutranksExpiresWhicheverComesFirst() {
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("example.com", "/"), new DefaultHttpHeaders()
			.add("set-cookie", "past=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=600")
			.add("set-cookie", "gone=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT; Max-Age=0"));
		assertThat(cookies(jar, target("example.com", "/"))).isEqualTo("past=1");
	}

	@Test
	void aMalformedAttributeIsIgnoredAndTheCookieKept() {
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("example.com", "/"),
				new DefaultHttpHeaders().add("set-cookie", "a=1; Max-Age=soon; Path=/"));
		assertThat(cookies(jar, target("example.com", "/"))).isEqualTo("a=1");
	}

	@Test
	void aQuotedValueGoesBackWithItsQuotesAndAttributeLikeNamesAreCookiesToo() {
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("example.com", "/"), new DefaultHttpHeaders().add("set-cookie", "q=\"v\"; Path=/")
			.add("set-cookie", "version=2; Path=/").add("set-cookie", "$x=3; Path=/"));
		assertThat(cookies(jar, target("example.com", "/"))).isEqualTo("q=\"v\"; version=2; $x=3");
	}

	@Test
	void aCookieGoesWhenItsMaxAgeHasPassed() {
		CookieJar jar = new CookieJar();
		jar.keepCookies(target("example.com", "/"), new DefaultHttpHeaders().add("set-cookie", "a=1; Max-Age=1"));
		assertThat(cookies(jar, target("example.com", "/"))).isEqualTo("a=1");
		Awaitility.await().atMost(Duration.ofSeconds(5))
			.until(() -> cookies(jar, target("example.com", "/")) == null);
	}

	private static ConnectTarget target(String host, String path) {
		return new ConnectTarget(InetSocketAddress.createUnresolved(host, 80), host, 80, false, path, null);
	}

	private static String cookies(CookieJar jar, ConnectTarget target) {
		HttpHeaders request = new DefaultHttpHeaders();
		jar.addCookies(target, request);
		return request.get("cookie");
	}

}
