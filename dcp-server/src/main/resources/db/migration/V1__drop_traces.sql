-- Drop traces: one row per request, its tokens, per-layer cache statistics and every drop event.
-- Written for both H2 and PostgreSQL (standard types only). Rows are only ever inserted together,
-- in one transaction, and read back by request_id, so the children are keyed by it.

create table trace (
    request_id           uuid                     primary key,
    created_at           timestamp with time zone not null,
    model                varchar(255)             not null,
    policy               varchar(32)              not null,
    -- The request caps inputs at 1,000,000 characters; the generated text is bounded by the context.
    prompt               varchar(1000000)         not null,
    generated_text       varchar(1000000)         not null,
    finish_reason        varchar(32)              not null,
    prompt_tokens        integer                  not null,
    generated_tokens     integer                  not null,
    sparsity             double precision         not null,
    kv_cache_bytes       bigint                   not null,
    dense_kv_cache_bytes bigint                   not null
);

-- Prompt and generated tokens; position is the token's place in the sequence (prompt first).
create table trace_token (
    request_id uuid          not null references trace (request_id) on delete cascade,
    position   integer       not null,
    token_id   integer       not null,
    text       varchar(1024) not null,
    prompt     boolean       not null,
    primary key (request_id, position)
);

-- What each layer's cache held at the end.
create table trace_layer (
    request_id uuid    not null references trace (request_id) on delete cascade,
    layer      integer not null,
    kept       integer not null,
    dropped    integer not null,
    kv_bytes   bigint  not null,
    primary key (request_id, layer)
);

-- One row per token leaving one layer's cache: a token leaves a layer at most once.
create table trace_drop (
    request_id       uuid    not null references trace (request_id) on delete cascade,
    layer            integer not null,
    position         integer not null,
    step             integer not null,
    dropper_position integer not null,
    primary key (request_id, layer, position)
);
