-- Retention: the purge finds the oldest traces by creation time alone (trace_by_model_time leads with the model,
-- so it cannot serve "created_at < cutoff" across models). Children go with their trace (on delete cascade, V1).
create index trace_by_time on trace (created_at);
