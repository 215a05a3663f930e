-- API keys (dcp.security.enabled) and who made each trace. Written for both H2 and PostgreSQL.

-- Keys kept in the database beside those of the configuration. Only the SHA-256 of a key is stored (hex, lower
-- case), so a copy of the database does not hand out working keys. Limits per period (dcp.security.rate-limit
-- .period); null takes the configured default. Revoking a key is deleting its row.
create table api_key (
    name                varchar(255)             primary key,
    key_sha256          char(64)                 not null unique,
    role                varchar(16)              not null check (role in ('user', 'admin')),
    requests_per_period bigint check (requests_per_period > 0),
    tokens_per_period   bigint check (tokens_per_period > 0),
    created_at          timestamp with time zone not null
);

-- The name of the key that made a trace; null for traces made while keys were off (only an admin key sees those).
alter table trace add column owner_key varchar(255);
create index trace_by_owner_model_time on trace (owner_key, model, created_at);

-- The drop statistics get the owner as one more key column ('' for traces made while keys were off), so a user
-- key's statistics count only its own traces and an admin's sum over every owner. A primary key cannot be altered
-- the same way on both databases, so each table is copied into a new one with the wider key and renamed.
create table drop_stat_model_v3 (
    model     varchar(255) not null,
    owner_key varchar(255) not null,
    requests  bigint       not null,
    tokens    bigint       not null,
    primary key (model, owner_key)
);
insert into drop_stat_model_v3 (model, owner_key, requests, tokens)
    select model, '', requests, tokens from drop_stat_model;
drop table drop_stat_model;
alter table drop_stat_model_v3 rename to drop_stat_model;

create table drop_stat_token_v3 (
    model        varchar(255)  not null,
    owner_key    varchar(255)  not null,
    layer        integer       not null,
    token_id     integer       not null,
    text         varchar(1024) not null,
    seen         bigint        not null,
    dropped      bigint        not null,
    lifetime_sum bigint        not null,
    primary key (model, owner_key, layer, token_id)
);
insert into drop_stat_token_v3 (model, owner_key, layer, token_id, text, seen, dropped, lifetime_sum)
    select model, '', layer, token_id, text, seen, dropped, lifetime_sum from drop_stat_token;
drop table drop_stat_token;
alter table drop_stat_token_v3 rename to drop_stat_token;

create table drop_stat_position_v3 (
    model     varchar(255) not null,
    owner_key varchar(255) not null,
    layer     integer      not null,
    bucket    integer      not null,
    seen      bigint       not null,
    dropped   bigint       not null,
    primary key (model, owner_key, layer, bucket)
);
insert into drop_stat_position_v3 (model, owner_key, layer, bucket, seen, dropped)
    select model, '', layer, bucket, seen, dropped from drop_stat_position;
drop table drop_stat_position;
alter table drop_stat_position_v3 rename to drop_stat_position;

create table drop_stat_lifetime_v3 (
    model     varchar(255) not null,
    owner_key varchar(255) not null,
    layer     integer      not null,
    bucket    integer      not null,
    dropped   bigint       not null,
    primary key (model, owner_key, layer, bucket)
);
insert into drop_stat_lifetime_v3 (model, owner_key, layer, bucket, dropped)
    select model, '', layer, bucket, dropped from drop_stat_lifetime;
drop table drop_stat_lifetime;
alter table drop_stat_lifetime_v3 rename to drop_stat_lifetime;
