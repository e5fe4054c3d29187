package io.securestreams.boot.config;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.securestreams.boot.annotation.SecureStreamHandler.Start;
import io.securestreams.boot.handler.HandlerMethodSignature;
import io.securestreams.boot.handler.MethodStreamHandler;
import io.securestreams.boot.handler.MethodStreamHandler.StateMethod;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.messaging.handler.invocation.InvocableHandlerMethod;

/**
 * One {@code @SecureStreamHandler} declaration: a bean, its handler methods and the streams to
 * create for it.
 *
 * @param id the endpoint id, unique in the registry
 * @param streamType the streamtype name
 * @param beanName the handler bean's name
 * @param bean the handler bean
 * @param stateMethods the {@code @OnState} methods with the state names each receives (empty
 * for all); they are called in method name order
 * @param rxMethod the {@code @OnRx} method
 * @param txMethod the {@code @OnTx} method
 * @param signatures the inspected signature of every method
 * @param count how many client streams to create
 * @param autoStartup whether the streams are created when the context starts
 * @param start what to do with each client stream once created
 * @param smdClasses the SMD classes the streams receive, for the built-in {@code _lws_smd}
 * @param initialPeerTxCredit the credit each client stream gives its peer to start with, or 0 for
 * automatic flow control
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public record MethodSecureStreamHandlerEndpoint(String id, String streamType, String beanName, Object bean,
		Map<Method, Set<String>> stateMethods, @Nullable Method rxMethod, @Nullable Method txMethod,
		Map<Method, HandlerMethodSignature> signatures, int count, boolean autoStartup, Start start,
		long smdClasses, int initialPeerTxCredit) {

	/**
	 * Copies the state methods and the signatures, unmodifiable (the state methods' order is set
	 * by {@link #createHandler}, by name).
	 * @param id the endpoint id, unique in the registry
	 * @param streamType the streamtype name
	 * @param beanName the handler bean's name
	 * @param bean the handler bean
	 * @param stateMethods the {@code @OnState} methods with the state names each receives (empty
	 * for all); they are called in method name order
	 * @param rxMethod the {@code @OnRx} method
	 * @param txMethod the {@code @OnTx} method
	 * @param signatures the inspected signature of every method
	 * @param count how many client streams to create
	 * @param autoStartup whether the streams are created when the context starts
	 * @param start what to do with each client stream once created
	 * @param smdClasses the SMD classes the streams receive, for the built-in {@code _lws_smd}
	 * @param initialPeerTxCredit the credit each client stream gives its peer to start with, or 0 for
	 * automatic flow control
	 */
	public MethodSecureStreamHandlerEndpoint {
		stateMethods = Map.copyOf(stateMethods);
		signatures = Map.copyOf(signatures);
	}

	/**
	 * Builds the stream handler that invokes this endpoint's methods.
	 * @param factory creates the invocable methods
	 * @return the handler
	 */
	public MethodStreamHandler createHandler(MessageHandlerMethodFactory factory) {
		List<StateMethod> states = new ArrayList<>();
		this.stateMethods.entrySet()
			.stream()
			.sorted(Comparator.comparing((Map.Entry<Method, Set<String>> entry) -> entry.getKey().getName())
				.thenComparing((entry) -> entry.getKey().toGenericString()))
			.forEach((entry) -> states.add(new StateMethod(invocable(factory, entry.getKey()), entry.getValue())));
		Method rx = this.rxMethod;
		HandlerMethodSignature rxSignature = (rx != null) ? this.signatures.get(rx) : null;
		return new MethodStreamHandler(states, (rx != null) ? invocable(factory, rx) : null,
				rxSignature != null && rxSignature.wholeMessages(),
				rxSignature != null && rxSignature.payloadType() == String.class,
				(this.txMethod != null) ? invocable(factory, this.txMethod) : null);
	}

	private InvocableHandlerMethod invocable(MessageHandlerMethodFactory factory, Method method) {
		return factory.createInvocableHandlerMethod(this.bean, method);
	}

	/**
	 * Returns every metadata name the handler methods read.
	 * @return the names
	 */
	public Set<String> metadataNames() {
		Set<String> names = new LinkedHashSet<>();
		this.signatures.values().forEach((signature) -> names.addAll(signature.metadataNames()));
		return names;
	}

	/**
	 * Describes the endpoint for error messages.
	 * @return for example {@code bean 'telemetryHandler' (com.example.TelemetryHandler)}
	 */
	public String description() {
		return "bean '" + this.beanName + "' (" + AopUtils.getTargetClass(this.bean).getName() + ")";
	}

}
