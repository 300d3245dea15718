# The curagraph API, for docker-compose.yml (Neo4j engine) or on its own (embedded engine).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY catalog ./catalog
COPY api ./api
COPY ontology ./ontology
RUN pip install --no-cache-dir .
RUN useradd --create-home curagraph && mkdir -p /data && chown curagraph /data
USER curagraph
ENV CURAGRAPH_DB=/data/catalog
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health').status != 200)"
# init is idempotent: it creates the catalog (embedded) or the constraints and indexes (Neo4j) once
CMD ["sh", "-c", "curagraph init >/dev/null && exec curagraph serve --host 0.0.0.0 --port 8000"]
