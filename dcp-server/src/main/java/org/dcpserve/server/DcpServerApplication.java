package org.dcpserve.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The dcp-serve REST service. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DcpServerApplication {

    public static void main(String[] args) {
        SpringApplication.run(DcpServerApplication.class, args);
    }
}
