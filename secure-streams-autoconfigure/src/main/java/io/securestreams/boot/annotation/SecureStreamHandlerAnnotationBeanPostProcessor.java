package io.securestreams.boot.annotation;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.securestreams.StreamState;
import io.securestreams.boot.config.MethodSecureStreamHandlerEndpoint;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistrar;
import io.securestreams.boot.config.SecureStreamHandlerEndpointRegistry;
import io.securestreams.boot.config.SecureStreamsAnnotationSupportBeanNames;
import io.securestreams.boot.handler.HandlerMethodSignature;
import io.securestreams.boot.handler.HandlerMethodSignature.Kind;
import io.securestreams.boot.handler.SecureStreamMessageHandlerMethodFactory;
import io.securestreams.smd.SmdStream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.MethodParameter;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotatedMethod;
import org.springframework.messaging.handler.annotation.support.MessageHandlerMethodFactory;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Finds beans annotated with {@link SecureStreamHandler}, checks their {@link OnState},
 * {@link OnRx} and {@link OnTx} methods, and hands one endpoint per declaration to the
 * {@link SecureStreamHandlerEndpointRegistrar}; once every singleton exists, the endpoints are
 * registered in the {@link SecureStreamHandlerEndpointRegistry}, which checks them against the
 * policy when it starts.
 * Any misconfiguration fails start-up with a message naming the bean and the method.
 * Registered by {@link EnableSecureStreams}.
 *
 * @author Secure Streams contributors
 * @since 0.1.0
 */
public class SecureStreamHandlerAnnotationBeanPostProcessor
		implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware, Ordered {

	private static final Set<String> STATE_NAMES = StreamState.standardStates()
		.stream()
		.map(StreamState::name)
		.collect(java.util.stream.Collectors.toUnmodifiableSet());

	private final Set<Class<?>> nonAnnotatedClasses = ConcurrentHashMap.newKeySet();

	private final SecureStreamHandlerEndpointRegistrar registrar = new SecureStreamHandlerEndpointRegistrar();

	private @Nullable BeanFactory beanFactory;

	// Set once the endpoints have gone to the registry: a handler bean created later has nowhere
	// to go.
	private volatile boolean endpointsRegistered;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
		this.beanFactory = beanFactory;
	}

	@Override
	public int getOrder() {
		return LOWEST_PRECEDENCE;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (this.nonAnnotatedClasses.contains(targetClass)) {
			return bean;
		}
		Set<SecureStreamHandler> declarations = AnnotatedElementUtils.findMergedRepeatableAnnotations(targetClass,
				SecureStreamHandler.class, SecureStreamHandlers.class);
		Map<Method, Kind> methods = handlerMethods(targetClass, beanName);
		if (declarations.isEmpty()) {
			if (!methods.isEmpty()) {
				Method method = methods.keySet().iterator().next();
				throw new BeanInitializationException("Bean '" + beanName + "' has handler method '" + describe(method)
						+ "' but is not annotated with @SecureStreamHandler");
			}
			this.nonAnnotatedClasses.add(targetClass);
			return bean;
		}
		requireSingleton(beanName);
		if (this.endpointsRegistered) {
			throw new BeanInitializationException("@SecureStreamHandler bean '" + beanName + "' was created after "
					+ "start-up, when handler streams are no longer registered; handler beans must be created "
					+ "with the application context (not lazily, nor registered after it is refreshed)");
		}
		for (SecureStreamHandler declaration : declarations) {
			this.registrar.registerEndpoint(endpoint(bean, beanName, declaration, methods));
		}
		return bean;
	}

	// A handler's streams are created once, for one instance: a prototype would either never be
	// created (nothing injects it) or give one streamtype several handlers.
	private void requireSingleton(String beanName) {
		if (this.beanFactory instanceof ConfigurableListableBeanFactory factory
				&& factory.containsBeanDefinition(beanName)
				&& !factory.getMergedBeanDefinition(beanName).isSingleton()) {
			throw new BeanInitializationException("@SecureStreamHandler bean '" + beanName + "' has scope '"
					+ factory.getMergedBeanDefinition(beanName).getScope() + "'; handler beans must be singletons");
		}
	}

	// Prototype and lazy handler beans are not created at start-up (a lazy one may be, if an eager
	// bean happens to inject it), so their definitions are checked here. Registering a handler
	// created later is not offered: its streams would start outside the registry's lifecycle
	// phase (after the web server, before the application runs), possibly while the context is
	// stopping, and whether a lazy handler had streams would depend on who first asked for it.
	private void checkHandlerDefinitions(ConfigurableListableBeanFactory factory) {
		for (String name : factory.getBeanDefinitionNames()) {
			BeanDefinition definition = factory.getMergedBeanDefinition(name);
			if (definition.isAbstract() || (definition.isSingleton() && !definition.isLazyInit())) {
				continue;
			}
			Class<?> type = factory.getType(name, false);
			if (type == null || AnnotatedElementUtils
				.findMergedRepeatableAnnotations(type, SecureStreamHandler.class, SecureStreamHandlers.class)
				.isEmpty()) {
				continue;
			}
			requireSingleton(name);
			throw new BeanInitializationException("@SecureStreamHandler bean '" + name + "' is lazy-init (@Lazy); "
					+ "handler beans must be created at start-up, when their streams are registered: remove @Lazy "
					+ "or lazy-init from its definition");
		}
	}

	private static Map<Method, Kind> handlerMethods(Class<?> targetClass, String beanName) {
		Map<Method, Kind> methods = new LinkedHashMap<>();
		for (Kind kind : Kind.values()) {
			MethodIntrospector
				.selectMethods(targetClass,
						(MethodIntrospector.MetadataLookup<Boolean>) (method) -> AnnotatedElementUtils
							.hasAnnotation(method, kind.annotation()) ? Boolean.TRUE : null)
				.keySet()
				.forEach((method) -> {
					// A method is called for one kind of callback: keeping either kind would drop
					// the other's calls without a word.
					Kind other = methods.putIfAbsent(method, kind);
					if (other != null) {
						throw new BeanInitializationException("Invalid handler method '" + describe(method)
								+ "' on bean '" + beanName + "': it is annotated with both @"
								+ other.annotation().getSimpleName() + " and @" + kind.annotation().getSimpleName()
								+ "; a method handles one kind of callback, use a method for each");
					}
				});
		}
		return methods;
	}

	private MethodSecureStreamHandlerEndpoint endpoint(Object bean, String beanName, SecureStreamHandler declaration,
			Map<Method, Kind> methods) {
		String streamType = resolve(declaration.streamtype());
		if (!StringUtils.hasText(streamType)) {
			throw new BeanInitializationException(
					"@SecureStreamHandler on bean '" + beanName + "' names no streamtype");
		}
		if (declaration.count() < 1) {
			throw new BeanInitializationException("@SecureStreamHandler(\"" + streamType + "\") on bean '" + beanName
					+ "' has count " + declaration.count() + "; it must be at least 1");
		}
		if (declaration.smdClasses() != 0 && !SmdStream.STREAMTYPE.equals(streamType)) {
			throw new BeanInitializationException("@SecureStreamHandler(\"" + streamType + "\") on bean '" + beanName
					+ "' sets smdClasses, which only the built-in streamtype " + SmdStream.STREAMTYPE + " takes");
		}
		if (declaration.initialPeerTxCredit() < 0) {
			throw new BeanInitializationException("@SecureStreamHandler(\"" + streamType + "\") on bean '" + beanName
					+ "' has initialPeerTxCredit " + declaration.initialPeerTxCredit()
					+ "; it must be 0 (automatic flow control) or positive");
		}
		if (declaration.initialPeerTxCredit() != 0 && SmdStream.STREAMTYPE.equals(streamType)) {
			throw new BeanInitializationException("@SecureStreamHandler(\"" + streamType + "\") on bean '" + beanName
					+ "' sets initialPeerTxCredit, which the built-in streamtype " + SmdStream.STREAMTYPE
					+ " does not take (it takes smdClasses)");
		}
		if (methods.isEmpty()) {
			throw new BeanInitializationException("@SecureStreamHandler bean '" + beanName
					+ "' has no @OnState, @OnRx or @OnTx method");
		}
		Map<Method, Set<String>> stateMethods = new LinkedHashMap<>();
		Map<Method, HandlerMethodSignature> signatures = new LinkedHashMap<>();
		Method rx = null;
		Method tx = null;
		for (Map.Entry<Method, Kind> entry : methods.entrySet()) {
			Method method = AopUtils.selectInvocableMethod(entry.getKey(), bean.getClass());
			Kind kind = entry.getValue();
			if (!method.equals(entry.getKey())) {
				requireSameAnnotations(beanName, entry.getKey(), method, kind);
			}
			signatures.put(method, signature(beanName, method, AopUtils.getTargetClass(bean), kind));
			switch (kind) {
				case STATE -> stateMethods.put(method, states(beanName, method));
				case RX -> rx = single(beanName, rx, method, kind);
				case TX -> tx = single(beanName, tx, method, kind);
			}
		}
		String id = StringUtils.hasText(declaration.id()) ? resolve(declaration.id()) : beanName + "#" + streamType;
		return new MethodSecureStreamHandlerEndpoint(id, streamType, beanName, bean, stateMethods, rx, tx, signatures,
				declaration.count(), autoStartup(beanName, resolve(declaration.autoStartup())), declaration.start(),
				declaration.smdClasses(), declaration.initialPeerTxCredit());
	}

	// Boolean.parseBoolean would read a misspelt "flase" or a "no" as false: a handler without streams.
	private static boolean autoStartup(String beanName, String autoStartup) {
		if (!StringUtils.hasText(autoStartup) || "true".equalsIgnoreCase(autoStartup)) {
			return true;
		}
		if ("false".equalsIgnoreCase(autoStartup)) {
			return false;
		}
		throw new BeanInitializationException("@SecureStreamHandler bean '" + beanName + "' has autoStartup '"
				+ autoStartup + "'; use true or false");
	}

	// A JDK proxy is called through its interface's method, and the states, payload and
	// arguments are read from that method's annotations: ones only on the class's method would
	// be lost (an @OnState method called for every state, @Flags or @Metadata taken as payload).
	private static void requireSameAnnotations(String beanName, Method declared, Method invoked, Kind kind) {
		boolean same = Objects.equals(AnnotatedElementUtils.findMergedAnnotation(declared, kind.annotation()),
				AnnotatedElementUtils.findMergedAnnotation(invoked, kind.annotation()));
		MethodParameter[] declaredParameters = new AnnotatedMethod(declared).getMethodParameters();
		MethodParameter[] invokedParameters = new AnnotatedMethod(invoked).getMethodParameters();
		for (int i = 0; same && i < declaredParameters.length; i++) {
			same = Arrays.asList(invokedParameters[i].getParameterAnnotations())
				.containsAll(Arrays.asList(declaredParameters[i].getParameterAnnotations()));
		}
		if (!same) {
			throw new BeanInitializationException("Invalid @" + kind.annotation().getSimpleName() + " method '"
					+ describe(declared) + "' on bean '" + beanName + "': the bean is an interface-based (JDK) proxy, "
					+ "which is called through '" + describe(invoked) + "', and that method lacks the handler "
					+ "annotations of the class's method; declare them on the interface's method as well, or have "
					+ "the class proxied (spring.aop.proxy-target-class=true)");
		}
	}

	private static HandlerMethodSignature signature(String beanName, Method method, Class<?> beanClass, Kind kind) {
		try {
			return HandlerMethodSignature.inspect(method, beanClass, kind);
		}
		catch (IllegalArgumentException ex) {
			throw new BeanInitializationException("Invalid @" + kind.annotation().getSimpleName() + " method '"
					+ describe(method) + "' on bean '" + beanName + "': " + ex.getMessage());
		}
	}

	private static Set<String> states(String beanName, Method method) {
		OnState onState = AnnotatedElementUtils.findMergedAnnotation(method, OnState.class);
		Set<String> states = new LinkedHashSet<>((onState != null) ? Arrays.asList(onState.value())
				: java.util.List.of());
		for (String state : states) {
			if (!STATE_NAMES.contains(state) && !isUserStateName(state)) {
				throw new BeanInitializationException("Invalid @OnState method '" + describe(method) + "' on bean '"
						+ beanName + "': '" + state + "' is not a state name; use one of "
						+ StreamState.standardStates() + " or USER_STATE_<n> (n at least " + StreamState.USER_BASE
						+ ")");
			}
		}
		return states;
	}

	// Only the name a user state really has: any other (a value below USER_BASE, a leading zero)
	// would never match a state, and its method would silently never be called.
	private static boolean isUserStateName(String state) {
		if (!state.matches("USER_STATE_[1-9]\\d{3,9}")) {
			return false;
		}
		long value = Long.parseLong(state.substring("USER_STATE_".length()));
		return value >= StreamState.USER_BASE && value <= Integer.MAX_VALUE;
	}

	private static Method single(String beanName, @Nullable Method existing, Method method, Kind kind) {
		if (existing != null) {
			throw new BeanInitializationException("Bean '" + beanName + "' has two @"
					+ kind.annotation().getSimpleName() + " methods, '" + describe(existing) + "' and '"
					+ describe(method) + "'; at most one is allowed");
		}
		return method;
	}

	private static String describe(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "("
				+ String.join(", ", Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toList()) + ")";
	}

	private String resolve(String value) {
		if (this.beanFactory instanceof ConfigurableBeanFactory configurable) {
			String resolved = configurable.resolveEmbeddedValue(value);
			return (resolved != null) ? resolved : value;
		}
		return value;
	}

	@Override
	public void afterSingletonsInstantiated() {
		Assert.state(this.beanFactory != null, "no bean factory");
		if (this.beanFactory instanceof ConfigurableListableBeanFactory configurable) {
			checkHandlerDefinitions(configurable);
		}
		if (this.beanFactory instanceof ListableBeanFactory listable) {
			listable.getBeansOfType(SecureStreamHandlerConfigurer.class)
				.values()
				.forEach((configurer) -> configurer.configureSecureStreamHandlers(this.registrar));
		}
		if (this.registrar.getEndpointRegistry() == null) {
			this.registrar.setEndpointRegistry(this.beanFactory.getBean(
					SecureStreamsAnnotationSupportBeanNames.HANDLER_ENDPOINT_REGISTRY_BEAN_NAME,
					SecureStreamHandlerEndpointRegistry.class));
		}
		if (this.registrar.getMessageHandlerMethodFactory() == null) {
			this.registrar.setMessageHandlerMethodFactory(methodFactory());
		}
		this.endpointsRegistered = true;
		this.registrar.afterPropertiesSet();
	}

	private MessageHandlerMethodFactory methodFactory() {
		String name = SecureStreamsAnnotationSupportBeanNames.HANDLER_METHOD_FACTORY_BEAN_NAME;
		if (this.beanFactory != null && this.beanFactory.containsBean(name)) {
			return this.beanFactory.getBean(name, MessageHandlerMethodFactory.class);
		}
		// The application's mapper carries its spring.jackson.* settings and modules, as its
		// controllers and message listeners map JSON with it; a private one would ignore them.
		JsonMapper jsonMapper = (this.beanFactory != null)
				? this.beanFactory.getBeanProvider(JsonMapper.class).getIfUnique() : null;
		SecureStreamMessageHandlerMethodFactory factory = (jsonMapper != null)
				? new SecureStreamMessageHandlerMethodFactory(jsonMapper)
				: new SecureStreamMessageHandlerMethodFactory();
		if (this.beanFactory != null) {
			factory.setBeanFactory(this.beanFactory);
		}
		factory.afterPropertiesSet();
		return factory;
	}

}
