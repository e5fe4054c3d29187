/**
 * Server streamtypes: a listener stream binds the streamtype's address and creates one accepted
 * stream per incoming connection, which a server protocol binding (http/1.1 with ws upgrade, or raw)
 * drives through a {@link io.securestreams.server.ServerLink}.
 */
@NullMarked
package io.securestreams.server;

import org.jspecify.annotations.NullMarked;
