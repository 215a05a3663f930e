-- Drops aggregated across requests, updated in the transaction that stores each trace (so a query never
-- scans the traces). "seen" counts a token fed through a layer, "dropped" the layer evicting it;
-- a drop's lifetime is dropper_position - position: how many tokens later the layer let it go.
-- Buckets are powers of two: bucket 0 is [0, 1), bucket b > 0 is [2^(b-1), 2^b).

-- Per model: traces aggregated.
create table drop_stat_model (
    model    varchar(255) not null primary key,
    requests bigint       not null,
    tokens   bigint       not null
);

-- Per model, layer and token id.
create table drop_stat_token (
    model        varchar(255)  not null,
    layer        integer       not null,
    token_id     integer       not null,
    text         varchar(1024) not null,
    seen         bigint        not null,
    dropped      bigint        not null,
    lifetime_sum bigint        not null,
    primary key (model, layer, token_id)
);

-- Per model, layer and position bucket.
create table drop_stat_position (
    model   varchar(255) not null,
    layer   integer      not null,
    bucket  integer      not null,
    seen    bigint       not null,
    dropped bigint       not null,
    primary key (model, layer, bucket)
);

-- Per model, layer and lifetime bucket: how many drops came that many tokens after the token.
create table drop_stat_lifetime (
    model   varchar(255) not null,
    layer   integer      not null,
    bucket  integer      not null,
    dropped bigint       not null,
    primary key (model, layer, bucket)
);

-- Example requests of a token: the traces holding it, newest first.
create index trace_token_by_token on trace_token (token_id, request_id);
create index trace_by_model_time on trace (model, created_at);
