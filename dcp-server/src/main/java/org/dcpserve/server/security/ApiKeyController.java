package org.dcpserve.server.security;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin keys add and delete the database's keys (the configuration's keys change with the configuration). Only there
 * with keys on: with keys off anyone could call it.
 */
@RestController
@ConditionalOnBooleanProperty("dcp.security.enabled")
@Tag(name = "admin", description = "API keys (needs an admin key; only with dcp.security.enabled)")
class ApiKeyController {

    private final ApiKeyStore keys;

    ApiKeyController(ApiKeyStore keys) {
        this.keys = keys;
    }

    @PostMapping(path = "/admin/api-keys", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Add a key to the database; the response is the only time the key itself is shown")
    ResponseEntity<CreatedKey> create(@Valid @RequestBody NewKey request) {
        Role role = request.role() == null ? Role.USER : request.role();
        String key = keys.create(request.name(), role, request.requests(), request.tokens());
        return ResponseEntity.status(HttpStatus.CREATED).body(new CreatedKey(request.name(), key, role));
    }

    @DeleteMapping("/admin/api-keys/{name}")
    @Operation(summary = "Delete a database key; its traces stay (visible to admin keys)")
    ResponseEntity<?> delete(@PathVariable("name") String name) {
        return keys.delete(name) ? ResponseEntity.noContent().build() : ResponseEntity.of(
                ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "no stored key is named '" + name + "'")).build();
    }

    /**
     * @param role     user (default) or admin
     * @param requests requests per period; null: the default
     * @param tokens   new tokens per period; null: the default
     */
    record NewKey(@NotBlank @Pattern(regexp = "[A-Za-z0-9._-]{1,64}", message = "must be 1 to 64 letters, digits, '.', '_' or '-'")
                  String name, Role role, @Min(1) Long requests, @Min(1) Long tokens) {
    }

    record CreatedKey(String name, String key, Role role) {
    }
}
