package org.dcpserve.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The dcp-serve REST service. Spring Security's default user (and its generated password) is left out: the only
 * credentials are API keys (security.SecurityConfiguration).
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
public class DcpServerApplication {

    public static void main(String[] args) {
        SpringApplication.run(DcpServerApplication.class, args);
    }
}
