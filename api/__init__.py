"""The REST API and dashboards (FastAPI). Routers translate HTTP to catalog calls; no Cypher lives here."""
