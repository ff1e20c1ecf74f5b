# guideline-kg serve in a container: `docker build -t guideline-kg .` then
# `docker run -p 8000:8000 guideline-kg` (explorer at /, GraphQL at /graphql, /healthz, /readyz,
# /metrics). Settings by environment (graphql_api/settings.py), e.g. -e GUIDELINE_KG_WORKERS=4.
# Builds from the repository alone: the graph's Turtle files ship inside the package.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml constraints.txt README.md LICENSE CHANGELOG.md ./
COPY ontology ./ontology
COPY kg ./kg
COPY graphql_api ./graphql_api
COPY guideline_kg ./guideline_kg
# the versions `make test` last passed with (constraints.txt), into a venv copied to the final stage
RUN python -m venv /opt/guideline-kg \
    && /opt/guideline-kg/bin/pip install -c constraints.txt .

FROM python:3.11-slim-bookworm
COPY --from=build /opt/guideline-kg /opt/guideline-kg
# no root at run time; the start-up cache in a folder only this user writes (a pickle in a folder
# others can write is never read, see README)
RUN useradd --system --create-home --home-dir /home/guideline-kg --uid 10001 guideline-kg
USER 10001
ENV PATH=/opt/guideline-kg/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    GUIDELINE_KG_HOST=0.0.0.0 \
    GUIDELINE_KG_PORT=8000 \
    GUIDELINE_KG_CACHE_DIR=/home/guideline-kg/.cache/guideline-kg
# the graph loaded, checked (as a server checks it) and cached at build time: a broken graph fails
# the build, and the container serves within seconds
RUN python -c "import kg; kg.load_index(check=True)"
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['GUIDELINE_KG_PORT']}/readyz\", timeout=4)"]
# exec form: serve is PID 1 and gets SIGTERM (drains, exits 0) and SIGHUP (reloads the graph)
CMD ["guideline-kg", "serve"]
