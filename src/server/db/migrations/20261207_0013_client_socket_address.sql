-- Where a request came from, twice (issue 12, item 6): `ip` is the client address — X-Forwarded-For when the
-- peer is a proxy named in TRUST_PROXY, else the socket's — and `socket_ip` the address of the socket itself
-- (the proxy, or the client when there is none). Null on rows written before.

ALTER TABLE audit_entry ADD COLUMN socket_ip text;
ALTER TABLE security_event ADD COLUMN socket_ip text;
