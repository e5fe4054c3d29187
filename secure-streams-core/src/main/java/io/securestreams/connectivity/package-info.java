/**
 * Captive portal detection, as libwebsockets' {@code lws_system_cpd_start}: a policy-defined
 * streamtype, {@code captive_portal_detect} by default, asks a known URL and its outcome says
 * whether the internet is reachable, a captive portal is in the way, or neither.
 */
@NullMarked
package io.securestreams.connectivity;

import org.jspecify.annotations.NullMarked;
