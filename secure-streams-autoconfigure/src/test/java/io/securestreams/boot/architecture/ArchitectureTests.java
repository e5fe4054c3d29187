package io.securestreams.boot.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * Spring Boot 4's conventions for auto-configuration, checked on our classes.
 */
class ArchitectureTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.securestreams.boot");

	@Test
	void autoConfigurationsArePublicFinal() {
		classes().that()
			.areAnnotatedWith(AutoConfiguration.class)
			.should()
			.bePublic()
			.andShould()
			.haveModifier(com.tngtech.archunit.core.domain.JavaModifier.FINAL)
			.check(this.classes);
	}

	@Test
	void beanMethodsAreNotPublic() {
		methods().that().areAnnotatedWith(Bean.class).should().notBePublic().check(this.classes);
	}

	@Test
	void beanPostProcessorAndRegistryPostProcessorBeanMethodsAreStatic() {
		methods().that()
			.areAnnotatedWith(Bean.class)
			.and()
			.haveRawReturnType(
					com.tngtech.archunit.base.DescribedPredicate.describe("a bean factory post-processor",
							(type) -> type.isAssignableTo(
									org.springframework.beans.factory.config.BeanFactoryPostProcessor.class)
									|| type.isAssignableTo(
											org.springframework.beans.factory.config.BeanPostProcessor.class)))
			.should()
			.beStatic()
			.check(this.classes);
	}

	@Test
	void configurationPropertiesLiveInAutoconfigure() {
		classes().that()
			.areAnnotatedWith(ConfigurationProperties.class)
			.should()
			.resideInAPackage("..boot.autoconfigure..")
			.check(this.classes);
	}

	@Test
	void supportCodeDoesNotDependOnAutoConfiguration() {
		noClasses().that()
			.resideInAnyPackage("io.securestreams.boot", "..boot.annotation..", "..boot.config..", "..boot.handler..",
					"..boot.actuate..", "..boot.health..", "..boot.metrics..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("..boot.autoconfigure..")
			.check(this.classes);
	}

}
