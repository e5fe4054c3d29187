/**
 * Decoding of X.509 certificates and private keys from DER and PEM, shared by the policy
 * database and the system blob store.
 */
@NullMarked
package io.securestreams.pki;

import org.jspecify.annotations.NullMarked;
