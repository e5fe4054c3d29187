package io.securestreams.boot.annotation;

import org.springframework.context.annotation.DeferredImportSelector;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Imports {@link SecureStreamsBootstrapConfiguration} late, after the user's configuration, so
 * that bean definitions the user made first are seen.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class SecureStreamsConfigurationSelector implements DeferredImportSelector {

	@Override
	public String[] selectImports(AnnotationMetadata importingClassMetadata) {
		return new String[] { SecureStreamsBootstrapConfiguration.class.getName() };
	}

}
