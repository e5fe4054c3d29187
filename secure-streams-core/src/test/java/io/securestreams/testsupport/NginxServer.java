package io.securestreams.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Debian's nginx, started by an interop test on 127.0.0.1 with a generated configuration: TLS
 * with h2 (at most 4 concurrent streams per connection) and http/1.1 by ALPN (the test PKI's
 * {@code localhost} certificate), and h2 with prior
 * knowledge in the clear. Both serve {@code /hello}, {@code /status/404} and the files written
 * into {@link #html()}, and store what is PUT under {@code /upload/} there (WebDAV), so a test can
 * compare an uploaded body byte for byte. The access log records nginx's
 * connection serial number for each request. A missing binary fails the test: the interop
 * profile must not pass without the real server.
 */
public final class NginxServer implements AutoCloseable {

	private static final List<String> CANDIDATES = List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx",
			"/usr/bin/nginx");

	private final Path dir;

	private final int tlsPort;

	private final int h2cPort;

	private @Nullable Process process;

	private NginxServer(Path dir, int tlsPort, int h2cPort) {
		this.dir = dir;
		this.tlsPort = tlsPort;
		this.h2cPort = h2cPort;
	}

	/**
	 * Starts nginx in a directory of its own.
	 * @param dir where its configuration, logs and files go
	 * @return the running server
	 * @throws IOException when it cannot be started
	 */
	public static NginxServer start(Path dir) throws IOException {
		Path binary = ServerProcesses.binary("nginx", CANDIDATES, "nginx.binary", "NGINX");
		Files.createDirectories(dir.resolve("html"));
		Files.createDirectories(dir.resolve("tmp"));
		Files.writeString(dir.resolve("server.pem"), TestPki.server().getCertificatePEM());
		Files.writeString(dir.resolve("server.key"), TestPki.server().getPrivateKeyPEM());
		IOException last = null;
		for (int attempt = 0; attempt < 3; attempt++) {
			NginxServer server = new NginxServer(dir, ServerProcesses.freePort(), ServerProcesses.freePort());
			try {
				server.launch(binary);
				return server;
			}
			catch (IOException ex) {
				// Another process may have taken a port between choosing and binding it.
				server.close();
				last = ex;
			}
		}
		throw last;
	}

	private String config() {
		String d = this.dir.toAbsolutePath().toString();
		String locations = """
				    location = /hello { default_type text/plain; return 200 "hello from nginx"; }
				    location = /status/404 { default_type text/plain; return 404 "status 404"; }
				    location /upload/ { root %1$s/html; dav_methods PUT; create_full_put_path on;
				      client_max_body_size 16m; }
				    location / { root %1$s/html; }
				""".formatted(d);
		// Run as root (CI), the workers would otherwise switch to a user that cannot read the
		// test's private directory.
		String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
		return user + """
				daemon off;
				worker_processes 1;
				pid %1$s/nginx.pid;
				error_log %1$s/error.log info;
				events { worker_connections 256; }
				http {
				  log_format conn '$connection $server_protocol $request_method $uri $status';
				  access_log %1$s/access.log conn;
				  client_body_temp_path %1$s/tmp/body;
				  proxy_temp_path %1$s/tmp/proxy;
				  fastcgi_temp_path %1$s/tmp/fastcgi;
				  uwsgi_temp_path %1$s/tmp/uwsgi;
				  scgi_temp_path %1$s/tmp/scgi;
				  server {
				    listen 127.0.0.1:%2$d ssl http2;
				    http2_max_concurrent_streams 4;
				    ssl_certificate %1$s/server.pem;
				    ssl_certificate_key %1$s/server.key;
				%4$s  }
				  server {
				    listen 127.0.0.1:%3$d http2;
				%4$s  }
				}
				""".formatted(d, this.tlsPort, this.h2cPort, locations);
	}

	private void launch(Path binary) throws IOException {
		Files.writeString(this.dir.resolve("nginx.conf"), config());
		this.process = ServerProcesses.start(
				List.of(binary.toString(), "-p", this.dir.toString(), "-c", this.dir.resolve("nginx.conf").toString(),
						"-e", this.dir.resolve("error.log").toString()),
				this.dir.resolve("nginx.out"), () -> read("nginx.out") + read("error.log"), this.tlsPort, this.h2cPort);
	}

	private String read(String name) {
		try {
			Path file = this.dir.resolve(name);
			return Files.exists(file) ? Files.readString(file) : "";
		}
		catch (IOException ex) {
			return "(" + name + " unreadable: " + ex.getMessage() + ")";
		}
	}

	/** Returns the port of the TLS listener (h2 and http/1.1 by ALPN). */
	public int tlsPort() {
		return this.tlsPort;
	}

	/** Returns the port of the clear-text listener (h2 with prior knowledge). */
	public int h2cPort() {
		return this.h2cPort;
	}

	/** Returns the directory whose files nginx serves. */
	public Path html() {
		return this.dir.resolve("html");
	}

	/**
	 * Returns the access log lines so far: connection serial, protocol, method, path, status.
	 * @return the lines
	 */
	public List<String> accessLog() {
		return read("access.log").lines().toList();
	}

	@Override
	public void close() {
		Process running = this.process;
		this.process = null;
		ServerProcesses.stop(running);
	}

}
