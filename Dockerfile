# The workbench as a hosted app: hosted mode (login required) is on by default.
#
#   docker build -t workbench .
#   docker run -p 8501:8501 -v workbench-data:/data \
#     -v "$PWD/.streamlit/secrets.toml:/app/.streamlit/secrets.toml:ro" workbench
#
# See docs/deploy.md for the secrets (users, roles, OIDC) and backups.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so that code changes do not reinstall them.
COPY pyproject.toml README.md ./
COPY workbench ./workbench
RUN pip install ".[oidc]"

COPY app.py hosted_app.py ./
COPY pages ./pages
COPY .streamlit/config.toml ./.streamlit/config.toml

# A non-root user owns only the data volume; the code stays read-only to it.
RUN useradd --create-home --uid 10001 workbench \
    && mkdir -p /data \
    && chown workbench:workbench /data
USER workbench
VOLUME ["/data"]

# WORKBENCH_HOSTED=1 fails closed: without users or an OIDC provider in the
# secrets, nobody can sign in (a missing secrets file never means "no login").
ENV WORKBENCH_DB=/data/workbench.duckdb \
    WORKBENCH_HOSTED=1 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"

CMD ["streamlit", "run", "hosted_app.py", "--server.address=0.0.0.0", "--server.port=8501"]
