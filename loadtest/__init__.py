"""Bounded load and fault tooling for `guideline-kg serve`, on loopback only (see README.md)."""
