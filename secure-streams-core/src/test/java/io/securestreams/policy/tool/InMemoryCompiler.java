package io.securestreams.policy.tool;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import io.securestreams.policy.Policy;

/**
 * Compiles one generated source in process against the test classpath and loads it.
 */
final class InMemoryCompiler {

	private InMemoryCompiler() {
	}

	/**
	 * Compiles a class and returns the class loader holding it.
	 * @param className the fully qualified class name
	 * @param source the Java source
	 * @return a loader that defines the compiled class
	 */
	static ClassLoader compile(String className, String source) throws Exception {
		JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
		DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
		Map<String, ByteArrayOutputStream> classes = new HashMap<>();
		StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, null, null);
		ForwardingJavaFileManager<StandardJavaFileManager> manager = new ForwardingJavaFileManager<>(standard) {
			@Override
			public JavaFileObject getJavaFileForOutput(Location location, String name, JavaFileObject.Kind kind,
					FileObject sibling) {
				return new SimpleJavaFileObject(URI.create("mem:///" + name.replace('.', '/') + kind.extension), kind) {
					@Override
					public OutputStream openOutputStream() {
						return classes.computeIfAbsent(name, (key) -> new ByteArrayOutputStream());
					}
				};
			}
		};
		JavaFileObject file = new SimpleJavaFileObject(
				URI.create("string:///" + className.replace('.', '/') + JavaFileObject.Kind.SOURCE.extension),
				JavaFileObject.Kind.SOURCE) {
			@Override
			public CharSequence getCharContent(boolean ignoreEncodingErrors) {
				return source;
			}
		};
		// Surefire may hand the JVM a manifest-only jar: add the model's own classes explicitly.
		String classpath = System.getProperty("java.class.path") + File.pathSeparator
				+ Path.of(Policy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		Boolean ok = compiler
			.getTask(null, manager, diagnostics,
					List.of("-classpath", classpath, "-proc:none", "-encoding", "UTF-8"), null, List.of(file))
			.call();
		if (!ok) {
			throw new AssertionError("generated source does not compile: " + diagnostics.getDiagnostics());
		}
		return new ClassLoader(InMemoryCompiler.class.getClassLoader()) {
			@Override
			protected Class<?> findClass(String name) throws ClassNotFoundException {
				ByteArrayOutputStream bytes = classes.get(name);
				if (bytes == null) {
					throw new ClassNotFoundException(name);
				}
				byte[] code = bytes.toByteArray();
				return defineClass(name, code, 0, code.length);
			}
		};
	}

	/**
	 * Compiles a generated policy class and calls its {@code policy()} method.
	 * @param className the fully qualified class name
	 * @param source the Java source
	 * @return the policy it builds
	 */
	static Policy policy(String className, String source) throws Exception {
		Class<?> type = compile(className, source).loadClass(className);
		return (Policy) type.getMethod("policy").invoke(null);
	}

}
