"""Bad input to every public method, as one table: a config of the wrong type, an unknown
config key, an empty or traversing resource name, a missing file. Each raises before any
request (the fake server records none) with a message naming the argument or key.

The methods are enumerated from the generated resources, so a new method fails
`test_the_table_covers_every_public_method` until it has its valid arguments here.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from fakes import Server, fake_client

from _gemini_sdk_gen import resources
from gemini_sdk import _wire, types

KEY = "AIzaSy-bad-input-key"
MODEL = "gemini-2.5-flash"

# Valid arguments for each method (Resource.method), so that only the bad one is bad.
VALID: dict[str, dict[str, Any]] = {
    "Models.generate_content": {"model": MODEL, "contents": "hi"},
    "Models.generate_content_stream": {"model": MODEL, "contents": "hi"},
    "Models.count_tokens": {"model": MODEL, "contents": "hi"},
    "Models.embed_content": {"model": "gemini-embedding-001", "contents": "hi"},
    "Models.get": {"model": MODEL},
    "Models.list": {},
    "Models.generate_images": {"model": "imagen-4.0-generate-001", "prompt": "a cat"},
    "Models.generate_videos": {"model": "veo-3.0-generate-001", "prompt": "a cat"},
    "Files.upload": {"file": b"data", "config": {"mime_type": "text/plain"}},
    "Files.get": {"name": "files/abc"},
    "Files.wait": {"file": "files/abc"},
    "Files.list": {},
    "Files.delete": {"name": "files/abc"},
    "Files.download": {"file": "files/abc"},
    "Caches.create": {"model": MODEL, "config": {"contents": "hi"}},
    "Caches.get": {"name": "cachedContents/abc"},
    "Caches.list": {},
    "Caches.update": {"name": "cachedContents/abc", "config": {"ttl": "60s"}},
    "Caches.delete": {"name": "cachedContents/abc"},
    "Documents.get": {"name": "fileSearchStores/s/documents/d"},
    "Documents.list": {"parent": "fileSearchStores/s"},
    "Documents.delete": {"name": "fileSearchStores/s/documents/d"},
    "FileSearchStores.create": {},
    "FileSearchStores.get": {"name": "fileSearchStores/s"},
    "FileSearchStores.list": {},
    "FileSearchStores.delete": {"name": "fileSearchStores/s"},
    "FileSearchStores.upload_to_file_search_store": {
        "file": b"data",
        "file_search_store_name": "fileSearchStores/s",
        "config": {"mime_type": "text/plain"},
    },
    "FileSearchStores.import_file": {
        "file_search_store_name": "fileSearchStores/s",
        "file_name": "files/abc",
    },
    "Operations.get": {"operation": "fileSearchStores/s/operations/o"},
    "Batches.create": {"model": MODEL, "src": "files/abc"},
    "Batches.create_embeddings": {"model": "gemini-embedding-001", "src": "files/abc"},
    "Batches.get": {"name": "batches/abc"},
    "Batches.list": {},
    "Batches.cancel": {"name": "batches/abc"},
    "Batches.delete": {"name": "batches/abc"},
    "Interactions.create": {"input": "hi", "model": MODEL},
    "Interactions.create_stream": {"input": "hi", "model": MODEL},
    "Interactions.get": {"id_": "abc"},
    "Interactions.get_stream": {"id_": "abc"},
    "Interactions.delete": {"id_": "abc"},
    "Interactions.cancel": {"id_": "abc"},
}
# The client attribute each resource class hangs from.
ATTRIBUTE = {
    "Models": "models",
    "Files": "files",
    "Caches": "caches",
    "Documents": "file_search_stores.documents",
    "FileSearchStores": "file_search_stores",
    "Operations": "operations",
    "Batches": "batches",
    "Interactions": "interactions",
}
# Parameters naming a resource; each must be one the method's forms allow.
NAMES = ("name", "parent", "file_search_store_name", "file_name", "operation", "id_")


def public_methods() -> dict[str, inspect.Signature]:
    found = {}
    for class_name, cls in vars(resources).items():
        if not isinstance(cls, type) or cls.__module__ != resources.__name__:
            continue
        if class_name.startswith("Async") or class_name not in ATTRIBUTE:
            continue
        for name, member in vars(cls).items():
            if not name.startswith("_") and inspect.isfunction(member):
                found[f"{class_name}.{name}"] = inspect.signature(member)
    return found


METHODS = public_methods()


def test_the_table_covers_every_public_method() -> None:
    assert set(ATTRIBUTE) >= {key.split(".")[0] for key in METHODS}
    assert sorted(VALID) == sorted(METHODS)


def cases() -> list[Any]:
    rows = []
    for method, signature in METHODS.items():
        valid = VALID[method]
        if "config" in signature.parameters:
            rows.append(
                pytest.param(method, {**valid, "config": 5}, "config", id=f"{method}-config=5")
            )
            unknown = {**(valid.get("config") or {}), "no_such_option": 1}
            rows.append(
                pytest.param(
                    method,
                    {**valid, "config": unknown},
                    "no_such_option",
                    id=f"{method}-unknown key",
                )
            )
        for name in NAMES:
            if name in signature.parameters:
                for bad in ("", "files/../../v1/models"):
                    row_id = f"{method}-{name}={bad!r}"
                    rows.append(pytest.param(method, {**valid, name: bad}, name, id=row_id))
    return rows


def bound(client: Any, method: str) -> Any:
    class_name, name = method.split(".")
    target = client
    for part in ATTRIBUTE[class_name].split("."):
        target = getattr(target, part)
    return getattr(target, name)


@pytest.mark.parametrize(("method", "arguments", "named"), cases())
def test_bad_input_raises_before_any_request(
    method: str, arguments: dict[str, Any], named: str
) -> None:
    server = Server()
    client = fake_client(server, KEY)
    with pytest.raises((TypeError, ValueError)) as raised:
        result = bound(client, method)(**arguments)
        if inspect.isgenerator(result) or hasattr(result, "__next__"):
            next(iter(result))
    assert server.requests == []
    assert named.rstrip("_") in str(raised.value), str(raised.value)


def test_a_missing_file_is_named_before_any_request(tmp_path: Any) -> None:
    server = Server()
    client = fake_client(server, KEY)
    missing = tmp_path / "missing.txt"
    for upload in (
        lambda: client.files.upload(file=str(missing)),
        lambda: client.file_search_stores.upload_to_file_search_store(
            file=str(missing), file_search_store_name="fileSearchStores/s"
        ),
    ):
        with pytest.raises(FileNotFoundError, match="missing.txt"):
            upload()
    assert server.requests == []


# -- enum names in typed constructors ---------------------------------------------------------


def enum_fields() -> list[Any]:
    """(class, attribute) of every enum-typed field of every generated class."""
    rows = []
    for name in sorted(dir(types)):
        cls = getattr(types, name)
        for field in getattr(cls, "_wire_fields", ()):
            if isinstance(field.kind, _wire.EnumRef):
                rows.append(pytest.param(cls, field.attr, id=f"{name}.{field.attr}"))
    return rows


@pytest.mark.parametrize(("cls", "attr"), enum_fields())
def test_an_enum_name_no_member_has_is_refused_by_the_constructor(cls: Any, attr: str) -> None:
    with pytest.raises(TypeError, match=rf"{cls.__name__}\.{attr}: expected one of the"):
        cls(**{attr: "NOT_A_MEMBER"})
