"""`guideline-kg`, the command line: the composition root that stands above the core (`kg`) and the
web layer (`graphql_api`). Neither of those imports it; it imports both, the web layer only when
`serve` runs (import contracts in pyproject.toml, checked by `lint-imports`)."""
