"""Queries that write or try to escape the read-only path: every engine must refuse them."""

from __future__ import annotations

WRITES = [
    "CREATE (n:Topic {id: 'x'})",
    "MERGE (n:Topic {id: 'x'})",
    "MATCH (t:Topic {id: 'algebra'}) SET t.label = 'x'",
    "MATCH (t:Topic {id: 'algebra'}) DELETE t",
    "MATCH (t:Topic) DETACH DELETE t",
    "MATCH (t:Topic {id: 'algebra'}) REMOVE t.label",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "LOAD FROM '/etc/passwd' RETURN *",
    "COPY Topic FROM '/tmp/x.csv'",
    "CALL { CREATE (:Topic {id: 'x'}) } RETURN 1",
    "CALL db.createLabel('X')",
    "MATCH (n) RETURN count(n); CREATE (:Topic {id: 'x'})",
    "match (n) return n; match (m) return m",
    "EXPORT DATABASE '/tmp/out'",
    "MATCH (n) RETURN n /* ; */ ; DROP TABLE Topic",
    "MATCH (n:Topic) ＣＲＥＡＴＥ (m:Topic {id: 'x'}) RETURN n",
    "ATTACH '/tmp/other.lbdb' AS other (dbtype lbug)",
]
