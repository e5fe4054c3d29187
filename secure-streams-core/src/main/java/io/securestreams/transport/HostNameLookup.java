package io.securestreams.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Looks a host name up: the one place a Secure Streams context asks which addresses an
 * {@code endpoint} (or a SOCKS5 proxy) has. It is called off the event loops, so it may block,
 * and its answers are reused for up to 10 seconds (less when the JVM's
 * {@code networkaddress.cache.ttl} is shorter). A connection tries the addresses in the order
 * given, moving on to the next one when a socket connect fails, as libwebsockets works down its
 * sorted DNS results.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
@FunctionalInterface
public interface HostNameLookup {

	/** The JDK's resolver: {@code /etc/hosts}, the system's name service and the JVM's settings. */
	HostNameLookup JDK = InetAddress::getAllByName;

	/**
	 * Returns the addresses of a host name, in the order to try them.
	 * @param host a host name, never an address literal
	 * @return at least one address
	 * @throws UnknownHostException when the name has no address
	 */
	InetAddress[] lookUp(String host) throws UnknownHostException;

}
