package io.securestreams.policy.json;

import tools.jackson.core.JsonEncoding;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.io.IOContext;
import tools.jackson.core.json.ByteSourceJsonBootstrapper;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonFactoryBuilder;
import tools.jackson.core.json.UTF8StreamJsonParser;
import tools.jackson.core.sym.ByteQuadsCanonicalizer;

/**
 * A Jackson JSON factory whose parsers for UTF-8 byte arrays tell the line and column of the
 * current token as plain ints. {@link JsonParser#currentTokenLocation()} builds an object per
 * call, and the policy reader asks for two locations per member (key and value): for a large
 * policy those objects were over a quarter of all it allocated.
 * <p>
 * Everything else (encoding detection, byte order marks, other inputs) is Jackson's own: the
 * factory only takes over the case Jackson itself reads with {@link UTF8StreamJsonParser}, and
 * builds that same parser with the same arguments.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
final class LocatingJsonFactory extends JsonFactory {

	private static final long serialVersionUID = 1L;

	LocatingJsonFactory(JsonFactoryBuilder builder) {
		super(builder);
	}

	@Override
	protected JsonParser _createParser(ObjectReadContext readContext, IOContext ioContext, byte[] data, int offset,
			int length) {
		if (!TokenStreamFactory.Feature.CANONICALIZE_PROPERTY_NAMES.enabledIn(this._factoryFeatures)
				|| !isUtf8WithoutBom(ioContext, data, offset, length)) {
			return super._createParser(readContext, ioContext, data, offset, length);
		}
		// The same checks and parser as Jackson's byte[] path (ByteSourceJsonBootstrapper).
		_checkRangeBoundsForByteArray(data, offset, length);
		this._streamReadConstraints.validateDocumentLength(length);
		return new LocatingParser(readContext, ioContext, readContext.getStreamReadFeatures(this._streamReadFeatures),
				readContext.getFormatReadFeatures(this._formatReadFeatures),
				this._byteSymbolCanonicalizer.makeChild(this._factoryFeatures), data, offset, offset + length);
	}

	private boolean isUtf8WithoutBom(IOContext ioContext, byte[] data, int offset, int length) {
		if (offset < 0 || length < 0 || offset > data.length - length) {
			return false;
		}
		if (!TokenStreamFactory.Feature.CHARSET_DETECTION.enabledIn(this._factoryFeatures)) {
			return true;
		}
		boolean bom = length >= 3 && data[offset] == ByteSourceJsonBootstrapper.UTF8_BOM_1
				&& data[offset + 1] == ByteSourceJsonBootstrapper.UTF8_BOM_2
				&& data[offset + 2] == ByteSourceJsonBootstrapper.UTF8_BOM_3;
		return !bom && new ByteSourceJsonBootstrapper(ioContext, data, offset, length).detectEncoding()
				== JsonEncoding.UTF8;
	}

	/** Jackson's UTF-8 parser, with the current token's position readable without allocation. */
	static final class LocatingParser extends UTF8StreamJsonParser {

		LocatingParser(ObjectReadContext readContext, IOContext ioContext, int streamReadFeatures,
				int formatReadFeatures, ByteQuadsCanonicalizer symbols, byte[] data, int start, int end) {
			super(readContext, ioContext, streamReadFeatures, formatReadFeatures, null, symbols, data, start, end, 0,
					false);
		}

		/**
		 * Returns {@code currentTokenLocation().getLineNr()} without creating the location.
		 * @return the 1-based line of the current token
		 */
		int tokenLine() {
			// As in UTF8StreamJsonParser.currentTokenLocation(): names keep their own position.
			return (this._currToken == JsonToken.PROPERTY_NAME) ? this._nameStartRow : this._tokenInputRow;
		}

		/**
		 * Returns {@code currentTokenLocation().getColumnNr()} without creating the location.
		 * @return the 1-based column of the current token
		 */
		int tokenColumn() {
			return (this._currToken == JsonToken.PROPERTY_NAME) ? this._nameStartCol : this._tokenInputCol;
		}

	}

}
