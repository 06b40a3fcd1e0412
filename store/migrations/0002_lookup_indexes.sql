-- 0002: indexes for the usage log by seal and user, the audit log by time,
-- and the grants of a user.
CREATE INDEX usage_log_esid ON usage_log (esid, id);
CREATE INDEX usage_log_user ON usage_log (user_id, id);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX grants_user ON grants (user_id);
