"""schemathesis against the served emulator, with Google's renderings as the schema.

Every operation of each rendering gets requests generated from its schema (valid ones: the
emulator is as lenient as the service, so it may accept what a schema refuses), sent to an
emulator served on 127.0.0.1 with an API key; each answer must be one the rendering allows,
its status, content type and body, and never a 5xx. The emulator's middleware from
tests/oracle_plugin.py checks the same answers independently.

The schema is the rendering as tests/oracle.py reads it (the overlay's schemas filling its
dangling references), with two adjustments schemathesis cannot make itself: the main
rendering declares each success answer as `default`, so it becomes `200` and `default` the
error envelope (as the Interactions rendering writes it); and the Interactions rendering's
`{api_version}` path parameter is the version the emulator serves.

Operations the emulator does not implement (it answers 501) are left out. Runs are reproducible (derandomized) and bounded (`EXAMPLES` per operation).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import shared

UPSTREAM = shared.SHARED / "upstream"
shared.require(UPSTREAM, "Google's renderings (the schema schemathesis generates from)")

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from oracle import ENVELOPE, Oracle  # noqa: E402
from schemathesis.generation.modes import GenerationMode  # noqa: E402
from seed import served_emulator  # noqa: E402

from gemini_sdk.testing import Emulator  # noqa: E402
from gemini_sdk.testing._handlers import HANDLERS  # noqa: E402

EXAMPLES = 3
API_KEY = "schemathesis-key"
VERSION = "v1beta"

Json = dict[str, Any]


def _schema(document: Json, status: Json) -> Json:
    schema: Json = json.loads(json.dumps(document))
    schema["components"]["schemas"].setdefault("Status", status)
    paths: Json = {}
    for template, item in schema["paths"].items():
        if "?" in template:
            continue  # a variant of the plain path, which holds both bodies
        item["parameters"] = [
            p for p in item.get("parameters", []) if not p.get("$ref", "").endswith("/api_version")
        ]
        for method, operation in item.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            if "200" not in responses:
                responses["200"] = responses.pop("default")
            # the Interactions API's errors too: see interactions_overlay.yaml's `oracle`
            responses["default"] = {
                "description": "an error",
                "content": {"application/json": {"schema": ENVELOPE}},
            }
        paths[template.replace("{api_version}", VERSION)] = item
    schema["paths"] = paths
    return schema


ORACLE = Oracle(UPSTREAM, shared.ROOT / "spec")
STATUS = ORACLE.renderings[0].document["components"]["schemas"]["Status"]
# Operations the emulator does not implement: it answers them 501 on purpose.
UNIMPLEMENTED = sorted(
    route.operation
    for rendering in ORACLE.renderings
    for route in rendering.routes
    if route.operation not in HANDLERS and not route.upload
)
SCHEMAS = [
    schemathesis.openapi.from_dict(_schema(rendering.document, STATUS)).exclude(
        operation_id=UNIMPLEMENTED
    )
    for rendering in ORACLE.renderings
]
for loaded in SCHEMAS:
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=EXAMPLES)
    # the coverage phase sends every boundary case a schema has, unbounded by EXAMPLES
    loaded.config.phases.update(phases=["examples", "fuzzing"])

BOUNDED = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with served_emulator(Emulator(api_keys={API_KEY: "unlimited"})) as url:
        yield url


# The service refuses schema-valid requests on rules a schema cannot state (a name's form,
# one of two fields, ranges), so a refusal of valid data is not held against the emulator.
# The renderings declare OAuth and bearer schemes only: the check that drops them to expect
# a 401 cannot drop the API key, which is a plain header here.
EXCLUDED = [schemathesis.checks.positive_data_acceptance, schemathesis.checks.ignored_auth]


def _call(case: Any, base_url: str) -> None:
    case.call_and_validate(
        base_url=base_url, headers={"x-goog-api-key": API_KEY}, excluded_checks=EXCLUDED
    )


@SCHEMAS[0].parametrize()
@BOUNDED
def test_main_rendering(case: Any, base_url: str) -> None:
    _call(case, base_url)


@SCHEMAS[1].parametrize()
@BOUNDED
def test_interactions_rendering(case: Any, base_url: str) -> None:
    _call(case, base_url)


# -- what it found, pinned ------------------------------------------------------------------


def test_system_parameters_are_accepted_with_or_without_a_dollar() -> None:
    emulator = Emulator(api_keys={API_KEY: "unlimited"})
    with httpx.Client(transport=emulator.sync_transport(), base_url=Emulator.BASE_URL) as http:
        answer = http.get(
            "/v1beta/files",
            params={
                "$prettyPrint": "true",
                "$callback": "",
                "prettyPrint": "false",
                "$.xgafv": "2",
            },
            headers={"x-goog-api-key": API_KEY},
        )
    assert answer.status_code == 200, answer.text
