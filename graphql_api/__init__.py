"""The GraphQL API and web server of guideline-kg: a thin adapter over `kg` (STYLE.md G1)."""
