"""The web dashboard and JSON API (FastAPI + Jinja2, server-rendered; see monitor.web.app)."""
