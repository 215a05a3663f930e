package org.dcpserve.server.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The known keys, by the SHA-256 of the key: those of the configuration (checked at start-up) and the database's
 * api_key table (read on every request, so a key added or deleted there counts at once). Key names are unique over
 * both, since a name owns traces.
 */
@Component
public class ApiKeyStore {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;
    private final Map<String, ApiKey> configured = new HashMap<>();
    private final Set<String> configuredNames = new HashSet<>();

    ApiKeyStore(SecurityProperties properties, JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        for (SecurityProperties.ConfiguredKey k : properties.apiKeys()) {
            String where = "dcp.security.api-keys entry '" + k.name() + "'";
            if (k.name() == null || k.name().isBlank()) {
                throw new IllegalStateException("every dcp.security.api-keys entry needs a name");
            }
            if ((k.key() == null) == (k.sha256() == null)) {
                throw new IllegalStateException(where + " needs either key or sha256 (the hex SHA-256 of the key)");
            }
            String hash = k.key() != null ? sha256(k.key()) : k.sha256().toLowerCase(Locale.ROOT);
            if (!hash.matches("[0-9a-f]{64}")) {
                throw new IllegalStateException(where + ": sha256 must be 64 hex digits");
            }
            if (!configuredNames.add(k.name()) || configured.put(hash, new ApiKey(k.name(), k.role(), k.requests(),
                    k.tokens())) != null) {
                throw new IllegalStateException(where + ": its name or key is already taken by another entry");
            }
        }
    }

    /** The key {@code presented} (as sent), or null if it is not known. */
    public ApiKey find(String presented) {
        String hash = sha256(presented);
        ApiKey key = configured.get(hash);
        if (key != null) {
            return key;
        }
        List<ApiKey> stored = jdbc.query("select name, role, requests_per_period, tokens_per_period from api_key"
                + " where key_sha256 = ?", (rs, i) -> new ApiKey(rs.getString(1),
                Role.of(rs.getString(2)), (Long) rs.getObject(3, Long.class),
                (Long) rs.getObject(4, Long.class)), hash);
        return stored.isEmpty() ? null : stored.getFirst();
    }

    /**
     * Adds a key to the database and returns it: the only time the key itself is seen, only its hash is stored.
     *
     * @throws KeyNameTakenException if a configured or stored key already has this name
     */
    public String create(String name, Role role, Long requests, Long tokens) {
        if (configuredNames.contains(name)) {
            throw new KeyNameTakenException(name);
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = "dcp-" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try {
            jdbc.update("insert into api_key (name, key_sha256, role, requests_per_period, tokens_per_period, created_at)"
                    + " values (?, ?, ?, ?, ?, ?)", name, sha256(key), role.id(), requests,
                    tokens, Timestamp.from(Instant.now()));
        } catch (DuplicateKeyException e) {
            throw new KeyNameTakenException(name);
        }
        return key;
    }

    /** Deletes a stored key; its traces stay, visible to admin keys. Returns whether there was one. */
    public boolean delete(String name) {
        return jdbc.update("delete from api_key where name = ?", name) == 1;
    }

    /** Hex SHA-256 of a key's UTF-8 bytes, as the api_key table and dcp.security.api-keys[].sha256 hold it. */
    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
