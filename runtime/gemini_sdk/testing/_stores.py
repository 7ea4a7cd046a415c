"""File search stores: stores, their documents and chunks, retrieval, metadata filters.

Kept in the durable `stores` and `documents` tables; a document's chunks live in its record.
A document is split into chunks when it arrives (imported from the Files API or uploaded into
the store), by whitespace tokens as its ChunkingConfig says (DEFAULT_CHUNK_TOKENS tokens with
DEFAULT_OVERLAP_TOKENS of overlap unless it says otherwise), and is ACTIVE at once.

A `file_search` tool in generate_content retrieves from the stores it names: the chunks of the
documents its `metadataFilter` lets through (AIP-160: `=`, `!=`, `<`, `<=`, `>`, `>=`, `:`,
AND, OR, NOT and parentheses; OR binds tighter than AND, as AIP-160 says), ranked by BM25 over
their tokens against the prompt's, best first, at most `topK`.

Stores list newest first. Everything belongs to the API key that made it; another key's store
is not found.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from gemini_sdk import _wire
from gemini_sdk.testing._durable import Durable
from gemini_sdk.testing._errors import ApiError, invalid_argument
from gemini_sdk.testing._files import UploadSession
from gemini_sdk.testing._operations import OperationStore

DEFAULT_CHUNK_TOKENS = 200
DEFAULT_OVERLAP_TOKENS = 20
MAX_CHUNK_TOKENS = 2048
DEFAULT_TOP_K = 5
# BM25's usual constants: term-frequency saturation and length normalisation.
BM25_K1 = 1.2
BM25_B = 0.75

_WORD = re.compile(r"\w+")
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
_STORE_NAME = re.compile(r"fileSearchStores/([a-z0-9-]{1,63})")

Wire = dict[str, Any]

# The kind of upload session that ends as a store document, and the fields of the upload's
# request its session keeps for the document.
STORE_UPLOAD = "store"
UPLOAD_TARGET = ("displayName", "customMetadata", "chunkingConfig")


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def split_chunks(text: str, chunking: Mapping[str, Any] | None) -> list[str]:
    """Whitespace tokens in windows of `maxTokensPerChunk`, each overlapping the last by
    `maxOverlapTokens`."""
    config = (chunking or {}).get("whiteSpaceConfig") or {}
    size = config.get("maxTokensPerChunk") or DEFAULT_CHUNK_TOKENS
    overlap = config.get("maxOverlapTokens")
    overlap = DEFAULT_OVERLAP_TOKENS if overlap is None else overlap
    if not 0 < size <= MAX_CHUNK_TOKENS:
        raise invalid_argument(
            "* chunking_config.white_space_config.max_tokens_per_chunk: must be between 1 and "
            f"{MAX_CHUNK_TOKENS}; got {size}\n"
        )
    overlap = min(overlap, size - 1) if "maxOverlapTokens" not in config else overlap
    if not 0 <= overlap < size:
        raise invalid_argument(
            "* chunking_config.white_space_config.max_overlap_tokens: must be at least 0 and "
            f"less than max_tokens_per_chunk ({size}); got {overlap}\n"
        )
    tokens = text.split()
    if not tokens:
        return []
    step = size - overlap
    return [" ".join(tokens[i : i + size]) for i in range(0, max(len(tokens) - overlap, 1), step)]


def bm25(query: Sequence[str], chunks: Sequence[Sequence[str]]) -> list[tuple[int, float]]:
    """(chunk index, score) of every chunk sharing a term with the query, best first."""
    if not chunks:
        return []
    counts = [Counter(chunk) for chunk in chunks]
    average = sum(len(c) for c in chunks) / len(chunks) or 1.0
    frequency = Counter(term for count in counts for term in count)
    scores = []
    for index, (chunk, count) in enumerate(zip(chunks, counts, strict=True)):
        score = 0.0
        for term in set(query):
            tf = count.get(term, 0)
            if not tf:
                continue
            n = frequency[term]
            idf = math.log((len(chunks) - n + 0.5) / (n + 0.5) + 1)
            norm = BM25_K1 * (1 - BM25_B + BM25_B * len(chunk) / average)
            score += idf * tf * (BM25_K1 + 1) / (tf + norm)
        if score > 0:
            scores.append((index, score))
    return sorted(scores, key=lambda pair: (-pair[1], pair[0]))


# -- metadata filters (AIP-160) ------------------------------------------------------------------

_FILTER_TOKEN = re.compile(
    r'\s*(?:(?P<paren>[()])|(?P<op><=|>=|!=|=|<|>|:)|(?P<string>"(?:[^"\\]|\\.)*")'
    r"|(?P<word>[^\s()<>=!:\"]+))"
)
Predicate = Callable[[Mapping[str, Wire]], bool]


def parse_filter(text: str) -> Predicate:
    """A `metadataFilter` -> a test of a document's metadata (by key); 400 when malformed."""
    tokens = _filter_tokens(text)
    parser = _FilterParser(tokens, text)
    predicate = parser.conjunction()
    if parser.position != len(tokens):
        raise parser.error("unexpected text")
    return predicate


def _filter_tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        found = _FILTER_TOKEN.match(text, position)
        if found is None or found.end() == position:
            if text[position:].strip():
                raise invalid_argument(f"Invalid metadata filter {text!r}: cannot read it.")
            break
        kind = found.lastgroup
        assert kind is not None
        tokens.append((kind, found[kind]))
        position = found.end()
    return tokens


@attrs.define
class _FilterParser:
    tokens: list[tuple[str, str]]
    text: str
    position: int = 0

    def error(self, what: str) -> ApiError:
        return invalid_argument(f"Invalid metadata filter {self.text!r}: {what}.")

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.position += 1
        return token

    def conjunction(self) -> Predicate:
        terms = [self.disjunction()]
        while self.peek() not in (("end", ""), ("paren", ")")):
            if self.peek() == ("word", "AND"):
                self.take()
            terms.append(self.disjunction())  # juxtaposed terms are ANDed, as in AIP-160
        return lambda metadata: all(term(metadata) for term in terms)

    def disjunction(self) -> Predicate:
        terms = [self.unary()]
        while self.peek() == ("word", "OR"):
            self.take()
            terms.append(self.unary())
        return lambda metadata: any(term(metadata) for term in terms)

    def unary(self) -> Predicate:
        kind, value = self.peek()
        if kind == "word" and (value == "NOT" or (value.startswith("-") and len(value) > 1)):
            if value == "NOT":
                self.take()
            else:  # `-key = value`: the minus sign is read with the key
                self.tokens[self.position] = (kind, value[1:])
            inner = self.unary()
            return lambda metadata: not inner(metadata)
        if self.peek() == ("paren", "("):
            self.take()
            inner = self.conjunction()
            if self.take() != ("paren", ")"):
                raise self.error("a parenthesis is not closed")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        kind, key = self.take()
        if kind != "word" or key in ("AND", "OR", "NOT"):
            raise self.error(f"expected a metadata key, got {key or 'the end'!r}")
        kind, op = self.take()
        if kind != "op":
            raise self.error(f"expected a comparison after {key!r}")
        kind, raw = self.take()
        if kind not in ("word", "string"):
            raise self.error(f"expected a value after {key} {op}")
        value: str | float = raw[1:-1].replace('\\"', '"') if kind == "string" else raw
        if kind == "word":
            try:
                value = float(raw)
            except ValueError:
                pass
        return lambda metadata: _compare(metadata.get(key), op, value)


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    ":": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(entry: Wire | None, op: str, value: str | float) -> bool:
    if entry is None:
        return False
    if "stringListValue" in entry:
        listed = (entry["stringListValue"] or {}).get("values") or []
        found = str(value) in listed or (isinstance(value, float) and _number_text(value) in listed)
        return (not found) if op == "!=" else found and op in ("=", ":")
    if "numericValue" in entry:
        if not isinstance(value, float):
            return op == "!="
        return _ORDER[op](float(entry["numericValue"]), value)
    text = entry.get("stringValue")
    if text is None:
        return False
    return _ORDER[op](text, value if isinstance(value, str) else _number_text(value))


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


# -- the stores ----------------------------------------------------------------------------------


@attrs.frozen
class Retrieved:
    store: str
    document: Wire
    chunk: str
    score: float


class StoreRegistry:
    """Stores and documents in the durable tables; thread-safe through them."""

    def __init__(self, durable: Durable, now: Callable[[], datetime.datetime] = _utc_now) -> None:
        self._durable = durable
        self._stores = durable.table("stores")
        self._documents = durable.table("documents")
        self.now = now

    def _stamp(self) -> str:
        return _wire.format_timestamp(self.now())

    def _new_id(self, counter: str, stem: str) -> str:
        digest = hashlib.sha256(f"{counter}-{self._durable.next(counter)}".encode()).digest()
        number = int.from_bytes(digest[:8], "big")
        suffix = ""
        for _ in range(12):
            number, digit = divmod(number, len(_ID_CHARS))
            suffix += _ID_CHARS[digit]
        slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40]
        return f"{slug}-{suffix}" if slug else suffix

    # -- stores

    def create(self, owner: str, display_name: str | None) -> Wire:
        name = f"fileSearchStores/{self._new_id('stores', display_name or '')}"
        stamp = self._stamp()
        record: Wire = {"name": name, "owner": owner, "createTime": stamp, "updateTime": stamp}
        if display_name:
            record["displayName"] = display_name
        self._stores.put(name, record)
        return self._store_wire(record)

    def get(self, owner: str, store_id: str) -> Wire:
        return self._store_wire(self._store(owner, store_id))

    def all(self, owner: str) -> list[Wire]:
        records = [r for r in self._stores.values() if r["owner"] == owner]
        return [self._store_wire(r) for r in reversed(records)]

    def delete(self, owner: str, store_id: str, *, force: bool) -> None:
        record = self._store(owner, store_id)
        documents = self._documents_of(record["name"])
        if documents and not force:
            raise ApiError(
                400,
                f"Cannot delete {record['name']}: it holds {len(documents)} document(s). Delete "
                "them first, or pass force=true to delete them with the store.",
                status="FAILED_PRECONDITION",
            )
        for document in documents:
            self._documents.delete(document["name"])
        self._stores.delete(record["name"])

    def _store(self, owner: str, store_id: str) -> Wire:
        name = f"fileSearchStores/{store_id}"
        record = self._stores.get(name)
        if record is None or record["owner"] != owner:
            raise ApiError(404, f"FileSearchStore {name} not found.")
        return record

    def _store_wire(self, record: Wire) -> Wire:
        documents = self._documents_of(record["name"])
        wire = {k: v for k, v in record.items() if k != "owner"}
        wire["activeDocumentsCount"] = str(len(documents))
        wire["sizeBytes"] = str(sum(int(d["sizeBytes"]) for d in documents))
        return wire

    def _documents_of(self, store: str) -> list[Wire]:
        return [d for d in self._documents.values() if d["store"] == store]

    # -- documents

    def add_document(
        self,
        owner: str,
        store_id: str,
        *,
        data: bytes,
        mime_type: str,
        display_name: str | None,
        custom_metadata: list[Wire] | None,
        chunking: Mapping[str, Any] | None,
    ) -> Wire:
        """A new ACTIVE document, chunked and indexed; its wire form."""
        store = self._store(owner, store_id)
        chunks = split_chunks(data.decode("utf-8", "replace"), chunking)
        document_id = self._new_id("documents", display_name or "")
        stamp = self._stamp()
        record: Wire = {
            "name": f"{store['name']}/documents/{document_id}",
            "store": store["name"],
            "mimeType": mime_type,
            "sizeBytes": str(len(data)),
            "state": "STATE_ACTIVE",
            "createTime": stamp,
            "updateTime": stamp,
            "chunks": chunks,
        }
        if display_name:
            record["displayName"] = display_name
        if custom_metadata:
            record["customMetadata"] = custom_metadata
        self._documents.put(record["name"], record)
        return _document_wire(record)

    def document(self, owner: str, store_id: str, document_id: str) -> Wire:
        return _document_wire(self._document(owner, store_id, document_id))

    def documents(self, owner: str, store_id: str) -> list[Wire]:
        store = self._store(owner, store_id)
        return [_document_wire(d) for d in self._documents_of(store["name"])]

    def delete_document(self, owner: str, store_id: str, document_id: str, *, force: bool) -> None:
        record = self._document(owner, store_id, document_id)
        if record["chunks"] and not force:
            raise ApiError(
                400,
                f"Cannot delete {record['name']}: it holds {len(record['chunks'])} chunk(s). Pass "
                "force=true to delete them with the document.",
                status="FAILED_PRECONDITION",
            )
        self._documents.delete(record["name"])

    def _document(self, owner: str, store_id: str, document_id: str) -> Wire:
        store = self._store(owner, store_id)
        name = f"{store['name']}/documents/{document_id}"
        record = self._documents.get(name)
        if record is None:
            raise ApiError(404, f"Document {name} not found.")
        return record

    # -- retrieval

    def retrieve(self, owner: str, tool: Mapping[str, Any], query: str) -> list[Retrieved]:
        """The chunks a file_search tool finds for `query`, best first."""
        names = tool.get("fileSearchStoreNames") or []
        selected = self._filter(tool.get("metadataFilter"))
        candidates: list[tuple[str, Wire, str]] = []
        for name in names:
            found = _STORE_NAME.fullmatch(name)
            if found is None:
                raise invalid_argument(
                    f"* tools.file_search.file_search_store_names: {name!r} is not a "
                    "FileSearchStore name (fileSearchStores/...)\n"
                )
            store = self._store(owner, found.group(1))
            for document in self._documents_of(store["name"]):
                if selected(document):
                    candidates += [(store["name"], document, c) for c in document["chunks"]]
        ranked = bm25(words(query), [words(chunk) for _, _, chunk in candidates])
        top_k = tool.get("topK") or DEFAULT_TOP_K
        return [
            Retrieved(candidates[i][0], candidates[i][1], candidates[i][2], score)
            for i, score in ranked[:top_k]
        ]

    def grounder(
        self, owner: str, tools: Sequence[Mapping[str, Any]] | None
    ) -> Callable[[str, list[Wire]], Wire | None] | None:
        """For a request with a file_search tool: (query, answer parts) -> the answer's
        groundingMetadata, or None when nothing matched."""
        tool = next((t["fileSearch"] for t in tools or () if "fileSearch" in t), None)
        if tool is None:
            return None

        def ground(query: str, parts: list[Wire]) -> Wire | None:
            retrieved = self.retrieve(owner, tool, query)
            return grounding(retrieved, parts) if retrieved else None

        return ground

    def _filter(self, text: str | None) -> Callable[[Wire], bool]:
        if not text:
            return lambda document: True
        predicate = parse_filter(text)
        return lambda document: predicate(
            {entry["key"]: entry for entry in document.get("customMetadata") or ()}
        )


def _document_wire(record: Wire) -> Wire:
    return {k: v for k, v in record.items() if k not in ("store", "chunks")}


def grounding(retrieved: Sequence[Retrieved], parts: list[Wire]) -> Wire:
    """groundingMetadata for an answer drawn from retrieved chunks: each chunk as a
    retrievedContext, and the answer's text supported by all of them."""
    text = "".join(p.get("text", "") for p in parts if not p.get("thought"))
    best = max(r.score for r in retrieved)
    chunks = []
    for found in retrieved:
        context: Wire = {
            "uri": found.document["name"],
            "title": found.document.get("displayName") or found.document["name"],
            "text": found.chunk,
            "fileSearchStore": found.store,
        }
        if found.document.get("customMetadata"):
            context["customMetadata"] = found.document["customMetadata"]
        chunks.append({"retrievedContext": context})
    return {
        "groundingChunks": chunks,
        "groundingSupports": [
            {
                "segment": {"startIndex": 0, "endIndex": len(text.encode()), "text": text},
                "groundingChunkIndices": list(range(len(retrieved))),
                "confidenceScores": [round(r.score / best, 4) for r in retrieved],
            }
        ],
    }


def finish_upload(
    stores: StoreRegistry, operations: OperationStore, session: UploadSession, data: bytes
) -> Wire:
    """A finished store upload: the new document, answered as the operation that made it."""
    target = session.target
    store = target["store"]
    document = stores.add_document(
        session.owner,
        store,
        data=data,
        mime_type=session.mime_type,
        display_name=target.get("displayName"),
        custom_metadata=target.get("customMetadata"),
        chunking=target.get("chunkingConfig"),
    )
    return operations.start(
        session.owner,
        f"fileSearchStores/{store}/upload/operations",
        kind="UploadToFileSearchStoreResponse",
        response={
            "documentName": document["name"],
            "parent": f"fileSearchStores/{store}",
            "mimeType": session.mime_type,
            "sizeBytes": str(len(data)),
        },
    )
