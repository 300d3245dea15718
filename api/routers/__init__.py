"""One router per resource; each translates HTTP to catalog calls and holds no Cypher."""
