-- 0003: federation and the transparency log (docs/federation.md).
-- Rows of tlog_leaves are only ever inserted: the node's append-only Merkle
-- log (RFC 6962 shape, SM3). entry = the exact bytes of the
-- eseal-log-entry/1 document, leaf_hash = hex SM3(0x00 || entry).
CREATE TABLE tlog_leaves (
    leaf_index @BIGINT@ PRIMARY KEY,
    esid TEXT NOT NULL,
    event TEXT NOT NULL,
    entry TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    at @BIGINT@ NOT NULL
);
CREATE INDEX tlog_leaves_esid ON tlog_leaves (esid, leaf_index);

-- Events of this node waiting for (or done with) delivery to the national
-- node; seq = the event's log seq (leaf_index + 1), body = the signed event.
CREATE TABLE fed_outbox (
    seq @BIGINT@ PRIMARY KEY,
    esid TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at @BIGINT@ NOT NULL,
    attempts @BIGINT@ NOT NULL DEFAULT 0,
    next_at @BIGINT@ NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    delivered_at @BIGINT@ NOT NULL DEFAULT 0
);
CREATE INDEX fed_outbox_pending ON fed_outbox (delivered_at, seq);

-- Events received from other nodes: (origin, seq) makes delivery idempotent;
-- leaf_hash is the hash of the event's log entry, proven = 1 once an
-- inclusion proof showed it in a tree head of the origin's log.
CREATE TABLE fed_inbox (
    origin TEXT NOT NULL,
    seq @BIGINT@ NOT NULL,
    esid TEXT NOT NULL,
    event TEXT NOT NULL,
    status TEXT NOT NULL,
    at @BIGINT@ NOT NULL,
    received_at @BIGINT@ NOT NULL,
    leaf_hash TEXT NOT NULL DEFAULT '',
    proven @BIGINT@ NOT NULL DEFAULT 0,
    PRIMARY KEY (origin, seq)
);
CREATE INDEX fed_inbox_unproven ON fed_inbox (origin, proven, seq);

-- Foreign seals: the owning node's latest signed status answer.
CREATE TABLE remote_seals (
    esid TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    seq @BIGINT@ NOT NULL,
    status TEXT NOT NULL,
    answer TEXT NOT NULL,
    next_update @BIGINT@ NOT NULL,
    updated_at @BIGINT@ NOT NULL
);

-- Per peer: the last signed tree head accepted, and a fork alarm with its
-- evidence (both tree heads and the failed check) once one is found.
CREATE TABLE fed_peers (
    node TEXT PRIMARY KEY,
    sth TEXT NOT NULL DEFAULT '',
    tree_size @BIGINT@ NOT NULL DEFAULT 0,
    root_hash TEXT NOT NULL DEFAULT '',
    checked_at @BIGINT@ NOT NULL DEFAULT 0,
    alarm TEXT NOT NULL DEFAULT '',
    alarm_at @BIGINT@ NOT NULL DEFAULT 0
);
