package io.securestreams.policy;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * HTTP settings of a streamtype (the {@code http_*} keys and their relatives).
 *
 * @param method the request method ({@code http_method})
 * @param url the URL path, may contain {@code ${metadata}} ({@code http_url})
 * @param expect the only status counted as success, or {@code null} for any 2xx ({@code http_expect})
 * @param responseMap statuses reported as stream states ({@code http_resp_map})
 * @param authHeader header carrying the auth token blob ({@code http_auth_header})
 * @param dsnHeader header carrying the device serial ({@code http_dsn_header})
 * @param fwvHeader header carrying the firmware version ({@code http_fwv_header})
 * @param devtypeHeader header carrying the device type ({@code http_devtype_header})
 * @param authPreamble text before the auth token, such as {@code bearer } ({@code http_auth_preamble})
 * @param authHexify whether the auth token is sent as hex ({@code auth_hexify})
 * @param noContentLength whether no content-length is sent for bodies ({@code http_no_content_length})
 * @param nghttp2QuirkEndStream h2 peer quirk ({@code nghttp2_quirk_end_stream})
 * @param h2QuirkOverflowTxCredit h2 peer quirk ({@code h2q_oflow_txcr})
 * @param multipartName multipart section name ({@code http_multipart_name})
 * @param multipartFilename multipart file name ({@code http_multipart_filename})
 * @param mimeContentType multipart section content type ({@code http_mime_content_type})
 * @param wwwFormUrlencoded whether the body is form-urlencoded ({@code http_www_form_urlencoded})
 * @param cookies whether cookies are kept ({@code http_cookies})
 * @param failRedirect whether a redirect fails the transaction ({@code http_fail_redirect})
 * @param allowRedirects whether redirects are followed ({@code allow_redirects})
 * @param multipartIn whether multipart responses are split into parts ({@code http_multipart_ss_in})
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record HttpSettings(@Nullable String method, @Nullable String url, @Nullable Integer expect,
		List<HttpResponseMapping> responseMap, @Nullable String authHeader, @Nullable String dsnHeader,
		@Nullable String fwvHeader, @Nullable String devtypeHeader, @Nullable String authPreamble, boolean authHexify,
		boolean noContentLength, boolean nghttp2QuirkEndStream, boolean h2QuirkOverflowTxCredit,
		@Nullable String multipartName, @Nullable String multipartFilename, @Nullable String mimeContentType,
		boolean wwwFormUrlencoded, boolean cookies, boolean failRedirect, boolean allowRedirects,
		boolean multipartIn) {

	/**
	 * Copies the response map, unmodifiable, so the settings cannot change once made.
	 * @param method the request method ({@code http_method})
	 * @param url the URL path, may contain {@code ${metadata}} ({@code http_url})
	 * @param expect the only status counted as success, or {@code null} for any 2xx ({@code http_expect})
	 * @param responseMap statuses reported as stream states ({@code http_resp_map})
	 * @param authHeader header carrying the auth token blob ({@code http_auth_header})
	 * @param dsnHeader header carrying the device serial ({@code http_dsn_header})
	 * @param fwvHeader header carrying the firmware version ({@code http_fwv_header})
	 * @param devtypeHeader header carrying the device type ({@code http_devtype_header})
	 * @param authPreamble text before the auth token, such as {@code bearer } ({@code http_auth_preamble})
	 * @param authHexify whether the auth token is sent as hex ({@code auth_hexify})
	 * @param noContentLength whether no content-length is sent for bodies ({@code http_no_content_length})
	 * @param nghttp2QuirkEndStream h2 peer quirk ({@code nghttp2_quirk_end_stream})
	 * @param h2QuirkOverflowTxCredit h2 peer quirk ({@code h2q_oflow_txcr})
	 * @param multipartName multipart section name ({@code http_multipart_name})
	 * @param multipartFilename multipart file name ({@code http_multipart_filename})
	 * @param mimeContentType multipart section content type ({@code http_mime_content_type})
	 * @param wwwFormUrlencoded whether the body is form-urlencoded ({@code http_www_form_urlencoded})
	 * @param cookies whether cookies are kept ({@code http_cookies})
	 * @param failRedirect whether a redirect fails the transaction ({@code http_fail_redirect})
	 * @param allowRedirects whether redirects are followed ({@code allow_redirects})
	 * @param multipartIn whether multipart responses are split into parts ({@code http_multipart_ss_in})
	 */
	public HttpSettings {
		responseMap = List.copyOf(responseMap);
	}

	/**
	 * Returns whether any multipart key is set, which makes the body multipart.
	 * @return {@code true} for a multipart body
	 */
	public boolean multipart() {
		return this.multipartName != null || this.multipartFilename != null || this.mimeContentType != null;
	}

}
