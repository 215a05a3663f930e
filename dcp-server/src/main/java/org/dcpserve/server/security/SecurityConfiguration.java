package org.dcpserve.server.security;

import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.header.HeaderWriterFilter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * One filter chain for every request. Always: security headers (below). With {@code dcp.security.enabled}: an API
 * key on every route but the public ones, admin routes for admin keys only. Stateless: no session, no cookie, so
 * nothing for CSRF protection to protect (a browser never sends the key by itself).
 */
@Configuration
class SecurityConfiguration {

    /**
     * Our pages and every API answer: only this origin's script and style files (no inline code), fetches to this
     * origin only, never framed.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self';"
            + " frame-ancestors 'none'";

    /** Swagger UI's bundle (not ours) sets inline styles and draws data: images; still no inline script. */
    static final String SWAGGER_UI_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self';",
            "style-src 'self' 'unsafe-inline';").replace("img-src 'self';", "img-src 'self' data:;");

    private static final RequestMatcher SWAGGER_UI = PathPatternRequestMatcher.withDefaults().matcher("/swagger-ui/**");

    private static final String CSP = "Content-Security-Policy";

    /** Open with keys on: health checks, the static pages (their API calls need the key), the API's description. */
    private static final String[] PUBLIC = {"/", "/index.html", "/explain.html", "/stats.html", "/app.js", "/app.css",
            "/favicon.ico", "/favicon.svg", "/health", "/actuator/health", "/actuator/health/**", "/swagger-ui.html",
            "/swagger-ui/**", "/v3/api-docs", "/v3/api-docs/**"};

    @Bean
    SecurityFilterChain apiKeys(HttpSecurity http, SecurityProperties properties, ApiKeyStore keys, RateLimiter limits,
                                @Qualifier("handlerExceptionResolver") HandlerExceptionResolver resolver) {
        SecurityErrors errors = new SecurityErrors(resolver);
        http.csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .exceptionHandling(e -> e.authenticationEntryPoint(errors).accessDeniedHandler(errors))
                // Defaults kept: X-Content-Type-Options nosniff, Cache-Control no-store, HSTS on https.
                .headers(h -> h
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(SWAGGER_UI,
                                new StaticHeadersWriter(CSP, SWAGGER_UI_POLICY)))
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(new NegatedRequestMatcher(SWAGGER_UI),
                                new StaticHeadersWriter(CSP, CONTENT_SECURITY_POLICY)))
                        .frameOptions(f -> f.deny())
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN))
                        // Written before the request goes on, not when the response commits: a HEAD of "/" is
                        // forwarded to the welcome page and committed where the lazy writer never saw it.
                        .withObjectPostProcessor(new ObjectPostProcessor<HeaderWriterFilter>() {
                            @Override
                            public <F extends HeaderWriterFilter> F postProcess(F filter) {
                                filter.setShouldWriteHeadersEagerly(true);
                                return filter;
                            }
                        }));
        if (!properties.enabled()) {
            return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }
        return http.addFilterBefore(new ApiKeyFilter(keys, limits, errors), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a
                        // A streamed response's async dispatch and an error page belong to a request already let in.
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers(HttpMethod.GET, PUBLIC).permitAll()
                        .requestMatchers(HttpMethod.HEAD, PUBLIC).permitAll()
                        .requestMatchers("/admin/**").hasRole("ADMIN")
                        .anyRequest().authenticated())
                .build();
    }
}
