-- 0001: the platform's tables. Type tokens: @ID@ (auto-numbered primary
-- key), @BIGINT@, @BLOB@ are replaced per backend (store/common.c).
CREATE TABLE orgs (
    id @ID@,
    name TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL DEFAULT '',
    created_at @BIGINT@ NOT NULL
);

CREATE TABLE users (
    id @ID@,
    username TEXT NOT NULL UNIQUE,
    display TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    org_id @BIGINT@ REFERENCES orgs (id),
    pw_hash TEXT NOT NULL,
    disabled @BIGINT@ NOT NULL DEFAULT 0,
    created_at @BIGINT@ NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id @BIGINT@ NOT NULL REFERENCES users (id),
    created_at @BIGINT@ NOT NULL,
    expires_at @BIGINT@ NOT NULL
);

CREATE TABLE applications (
    id @ID@,
    org_id @BIGINT@ NOT NULL REFERENCES orgs (id),
    applicant_id @BIGINT@ NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL DEFAULT 'new',
    seal_name TEXT NOT NULL,
    seal_type @BIGINT@ NOT NULL,
    valid_days @BIGINT@ NOT NULL,
    status TEXT NOT NULL,
    replaces TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    reviewer_id @BIGINT@ NOT NULL DEFAULT 0,
    decision_reason TEXT NOT NULL DEFAULT '',
    esid TEXT NOT NULL DEFAULT '',
    created_at @BIGINT@ NOT NULL,
    decided_at @BIGINT@ NOT NULL DEFAULT 0,
    picture @BLOB@
);
CREATE INDEX applications_org_status ON applications (org_id, status);

CREATE TABLE seals (
    esid TEXT PRIMARY KEY,
    org_id @BIGINT@ NOT NULL REFERENCES orgs (id),
    app_id @BIGINT@ NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    type @BIGINT@ NOT NULL,
    status TEXT NOT NULL,
    version @BIGINT@ NOT NULL DEFAULT 1,
    der_sm3 TEXT NOT NULL DEFAULT '',
    key_id TEXT NOT NULL DEFAULT '',
    reg_no TEXT NOT NULL DEFAULT '',
    valid_start @BIGINT@ NOT NULL,
    valid_end @BIGINT@ NOT NULL,
    lost_at @BIGINT@ NOT NULL DEFAULT 0,
    cancel_reason TEXT NOT NULL DEFAULT '',
    replaces TEXT NOT NULL DEFAULT '',
    replaced_by TEXT NOT NULL DEFAULT '',
    created_at @BIGINT@ NOT NULL,
    updated_at @BIGINT@ NOT NULL,
    der @BLOB@ NOT NULL,
    cert @BLOB@,
    reg_cert @BLOB@
);
CREATE INDEX seals_org_status ON seals (org_id, status);

CREATE TABLE seal_events (
    id @ID@,
    esid TEXT NOT NULL REFERENCES seals (esid),
    action TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status TEXT NOT NULL,
    actor_id @BIGINT@ NOT NULL DEFAULT 0,
    actor TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    at @BIGINT@ NOT NULL
);
CREATE INDEX seal_events_esid ON seal_events (esid, id);

CREATE TABLE keys (
    id TEXT PRIMARY KEY,
    org_id @BIGINT@ NOT NULL DEFAULT 0,
    alg TEXT NOT NULL,
    created_at @BIGINT@ NOT NULL,
    wrapped @BLOB@ NOT NULL
);

CREATE TABLE grants (
    id @ID@,
    esid TEXT NOT NULL REFERENCES seals (esid),
    user_id @BIGINT@ NOT NULL REFERENCES users (id),
    granted_by @BIGINT@ NOT NULL,
    not_before @BIGINT@ NOT NULL,
    not_after @BIGINT@ NOT NULL,
    scope TEXT NOT NULL DEFAULT '*',
    revoked_at @BIGINT@ NOT NULL DEFAULT 0,
    created_at @BIGINT@ NOT NULL
);
CREATE INDEX grants_esid_user ON grants (esid, user_id);

CREATE TABLE usage_log (
    id @ID@,
    esid TEXT NOT NULL,
    user_id @BIGINT@ NOT NULL,
    username TEXT NOT NULL DEFAULT '',
    org_id @BIGINT@ NOT NULL,
    at @BIGINT@ NOT NULL,
    doc_sm3 TEXT NOT NULL DEFAULT '',
    doc_name TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX usage_log_org ON usage_log (org_id, id);

-- The audit log is append-only; each row's hash = SM3(prev_hash || row).
CREATE TABLE audit_log (
    seq @BIGINT@ PRIMARY KEY,
    at @BIGINT@ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
