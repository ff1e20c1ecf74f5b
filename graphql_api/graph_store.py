"""The shared graph store of many replicas, over the SPARQL 1.1 Graph Store Protocol: `publish`
writes a checked graph and its record (the layout is kg/publication.py), `load_index` builds a
replica's index from it, `published` reads the record alone (what a replica polls).

The URL is the store's Graph Store Protocol endpoint: Oxigraph `http://host:7878/store`, Apache
Jena Fuseki `http://host:3030/DATASET/data`, GraphDB
`http://host:7200/repositories/REPO/rdf-graphs/service`, Virtuoso
`http://host:8890/sparql-graph-crud-auth`. Credentials may be given in it (`user:password@host`):
httpx sends them as HTTP Basic; messages never show them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from rdflib import Graph

from kg.errors import DataFileError, KgError
from kg.index import GuidelineIndex
from kg.load import DATA_DIR, ONTOLOGY_DIR, parse_data
from kg.publication import (
    RECORD_GRAPH,
    Publication,
    graph_iri,
    index_from,
    prepare,
    read_record,
    record_graph,
)

# the record is small and polled: a store that does not answer in seconds counts as gone; a graph
# of the shipped size (10 MB of N-Triples) is read in well under a second on a local network
RECORD_TIMEOUT = httpx.Timeout(5.0)
GRAPH_TIMEOUT = httpx.Timeout(10.0, read=300.0, write=300.0)
ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_FORMATS = {
    "application/n-triples": "nt",
    "text/plain": "nt",  # N-Triples' media type before it was registered
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
}


class StoreError(KgError):
    """The store cannot be reached, refused a request, or holds no published graph."""


class NotPublished(StoreError):
    """The store answers but no graph has been published to it."""


class GraphStore:
    """One Graph Store Protocol endpoint: read, write and delete named graphs."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise StoreError(f"not an http(s) URL of a graph store: {shown(url)}")
        self.url = url

    def published(self) -> Publication | None:
        """The record of the published version; None when nothing was published yet."""
        data = self._get(RECORD_GRAPH, RECORD_TIMEOUT)
        return None if data is None else read_record(data)

    def graph(self, record: Publication) -> Graph | None:
        """The graph of a published version; None when it is gone (replaced meanwhile)."""
        return self._get(record.graph, GRAPH_TIMEOUT)

    def put(self, iri: str, graph: Graph) -> None:
        body = graph.serialize(format="nt", encoding="utf-8")
        headers = {"content-type": "application/n-triples"}
        response = self._send("PUT", iri, GRAPH_TIMEOUT, content=body, headers=headers)
        self._expect(response, "write", iri)

    def delete(self, iri: str) -> None:
        response = self._send("DELETE", iri, RECORD_TIMEOUT)
        if response.status_code != 404:
            self._expect(response, "delete", iri)

    def _get(self, iri: str, timeout: httpx.Timeout) -> Graph | None:
        response = self._send("GET", iri, timeout, headers={"accept": ACCEPT})
        if response.status_code == 404:
            return None
        self._expect(response, "read", iri)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in _FORMATS:
            raise StoreError(f"{shown(self.url)} answered {iri} as {media or 'untyped'} data")
        return parse_data(response.content, _FORMATS[media], f"{shown(self.url)} {iri}")

    def _send(
        self, method: str, iri: str, timeout: httpx.Timeout, **kwargs: object
    ) -> httpx.Response:
        try:
            return httpx.request(
                method,
                self.url,
                params={"graph": iri},
                timeout=timeout,
                **kwargs,  # type: ignore[arg-type]
            )
        except httpx.HTTPError as exc:  # refused, reset, timed out, bad TLS
            reason = str(exc) or type(exc).__name__
            raise StoreError(f"graph store {shown(self.url)} unreachable ({reason})") from None

    def _expect(self, response: httpx.Response, what: str, iri: str) -> None:
        if not response.is_success:
            raise StoreError(
                f"graph store {shown(self.url)} refused to {what} {iri}: "
                f"HTTP {response.status_code}"
            )


def publish(url: str, data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR) -> Publication:
    """Validate the files' graph and write it, then its record: replicas polling the record see the
    new version only once its graph is complete. The version before stays (a replica may be reading
    it); the one before that is deleted."""
    store = GraphStore(url)
    try:
        current = store.published()  # also: an unreachable store is told before the long checks
    except DataFileError:  # a record that is not ours to read is replaced
        current = None
    graph, record = prepare(data_dir, ontology_dir)
    if current is None:
        previous = None
    elif current.version != record.version:
        previous = current.version
    else:  # the same graph published again
        previous = current.previous
    record = dataclasses.replace(record, previous=previous)
    store.put(record.graph, graph)
    store.put(RECORD_GRAPH, record_graph(record))
    if current is not None and current.previous not in (None, record.version, previous):
        store.delete(graph_iri(current.previous))  # type: ignore[arg-type]
    return record


def load_index(url: str, ontology_dir: Path = ONTOLOGY_DIR) -> GuidelineIndex:
    """The checked index of the published graph. When two publishes pass while it is read (the
    graph it named is deleted), the record is read again."""
    store = GraphStore(url)
    for _ in range(3):
        record = store.published()
        if record is None:
            raise NotPublished(
                f"no graph published to {shown(url)} (guideline-kg publish --to URL)"
            )
        graph = store.graph(record)
        if graph is not None:
            return index_from(graph, record, ontology_dir)
    raise StoreError(f"the version published to {shown(url)} kept changing while it was read")


def shown(url: str) -> str:
    """The URL without its credentials, for messages and logs."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))
