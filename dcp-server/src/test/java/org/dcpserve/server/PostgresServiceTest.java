package org.dcpserve.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service on a real PostgreSQL with the {@code postgres} profile: zonky's embedded PostgreSQL 17 (it runs
 * initdb under {@code unshare -U} when the build runs as root), one database for every subclass. The profile is
 * configured only through DCP_DB_URL, so its default user and password (dcp/dcp) are exercised too. Each subclass
 * names its model.
 */
@ActiveProfiles("postgres")
// Close the context after each class, while PostgreSQL (stopped by its JVM shutdown hook) is still up.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class PostgresServiceTest extends RunningServiceTest {

    @DynamicPropertySource
    static void embeddedPostgres(DynamicPropertyRegistry registry) {
        registry.add("DCP_DB_URL", EmbeddedDatabase::url);
    }

    /** One embedded PostgreSQL per test JVM, with a dcp database owned by a dcp user, as an operator would set up. */
    static final class EmbeddedDatabase {

        private static String url;

        private EmbeddedDatabase() {
        }

        static synchronized String url() {
            if (url == null) {
                try {
                    url = createDcpDatabase(EmbeddedPostgres.builder().start());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot create the dcp database", e);
                }
            }
            return url;
        }

        /** Creates the dcp user and its dcp database in {@code postgres}; returns the database's URL. */
        static String createDcpDatabase(EmbeddedPostgres postgres) throws SQLException {
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                 Statement statement = connection.createStatement()) {
                statement.execute("create role dcp login password 'dcp'");
                statement.execute("create database dcp owner dcp");
            }
            return postgres.getJdbcUrl("dcp", "dcp").replaceFirst("\\?.*", "");
        }
    }
}
