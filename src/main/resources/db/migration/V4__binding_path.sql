-- RFC 3327 Path of a binding: the proxies between the phone and this server (an edge proxy in
-- front of it), comma-separated SIP URIs, top first. Requests to the contact are loose-routed
-- through them. (V3 is the message store.)
ALTER TABLE binding ADD COLUMN path VARCHAR(1000);
