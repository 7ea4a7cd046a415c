"""codegen.naming: the one place Python names are made from wire names."""

from __future__ import annotations

import keyword

import pytest

from codegen import naming


@pytest.mark.parametrize(
    ("wire", "snake"),
    [
        ("thoughtSignature", "thought_signature"),
        ("videoMetadata", "video_metadata"),
        ("GenerateContent", "generate_content"),
        ("BatchEmbedContents", "batch_embed_contents"),
        ("fileSearchStoresId", "file_search_stores_id"),
        # acronyms stay one word, before another word and at the end
        ("URLContext", "url_context"),
        ("HTTPRequest", "http_request"),
        ("toHTTP2Client", "to_http2_client"),
        ("inlineURL", "inline_url"),
        ("ID", "id"),
        # digits stick to the word before them
        ("int64Value", "int64_value"),
        ("numTokens", "num_tokens"),
        # already snake, separators, leading punctuation
        ("already_snake", "already_snake"),
        ("kebab-case-name", "kebab_case_name"),
        ("$.xgafv", "xgafv"),
        ("_responseJsonSchema", "response_json_schema"),
        ("__double__", "double"),
        ("A", "a"),
        ("", ""),
    ],
)
def test_snake_case(wire: str, snake: str) -> None:
    assert naming.snake_case(wire) == snake


@pytest.mark.parametrize(
    ("wire", "pascal"),
    [
        ("finishReason", "FinishReason"),
        ("file_search", "FileSearch"),
        ("mediaResolution", "MediaResolution"),
        ("URLContext", "URLContext"),
        ("state", "State"),
    ],
)
def test_pascal_case(wire: str, pascal: str) -> None:
    assert naming.pascal_case(wire) == pascal


@pytest.mark.parametrize(
    ("wire", "attr"),
    [
        ("thoughtSignature", "thought_signature"),
        # hard keywords
        ("import", "import_"),
        ("class", "class_"),
        ("from", "from_"),
        ("async", "async_"),
        ("global", "global_"),
        # soft keywords
        ("match", "match_"),
        ("case", "case_"),
        # names the model base class defines for itself
        ("unknownFields", "unknown_fields_"),
        ("to_dict", "to_dict_"),
        ("fromJson", "from_json_"),
        # builtins are fine as attributes
        ("type", "type"),
        ("id", "id"),
        ("format", "format"),
        # not an identifier start
        ("123abc", "field_123abc"),
        ("_", "field_"),
        ("None", "none"),
    ],
)
def test_attribute_name(wire: str, attr: str) -> None:
    name = naming.attribute_name(wire)
    assert name == attr
    assert name.isidentifier() and not keyword.iskeyword(name)


def test_leading_underscore_wire_name_is_never_private() -> None:
    assert naming.attribute_name("_responseJsonSchema") == "response_json_schema"
    assert naming.attribute_name("_type") == "type"
    assert not naming.parameter_name("_private").startswith("_")


def test_leading_underscore_twin_of_a_taken_name() -> None:
    taken = {naming.attribute_name("responseJsonSchema")}
    assert naming.attribute_name("_responseJsonSchema", taken) == "response_json_schema_"


def test_taken_adds_underscores_until_free() -> None:
    assert naming.attribute_name("x", {"x"}) == "x_"
    assert naming.attribute_name("x", {"x", "x_"}) == "x__"
    assert naming.attribute_name("import", {"import_"}) == "import__"
    assert naming.attribute_name("x", set()) == "x"
    assert naming.attribute_name("x", None) == "x"


def test_taken_is_not_modified() -> None:
    taken = {"x"}
    naming.attribute_name("x", taken)
    assert taken == {"x"}


@pytest.mark.parametrize(
    ("wire", "param"),
    [
        ("pageSize", "page_size"),
        ("pageToken", "page_token"),
        ("updateMask", "update_mask"),
        # builtins that a parameter would shadow
        ("type", "type_"),
        ("format", "format_"),
        ("id", "id_"),
        ("filter", "filter_"),
        ("list", "list_"),
        ("dict", "dict_"),
        ("object", "object_"),
        ("property", "property_"),
        # keywords get exactly one underscore, not two
        ("import", "import_"),
        ("match", "match_"),
        ("fileSearchStoresId", "file_search_stores_id"),
    ],
)
def test_parameter_name(wire: str, param: str) -> None:
    assert naming.parameter_name(wire) == param


@pytest.mark.parametrize(
    ("value", "member"),
    [
        ("BLOCK_NONE", "BLOCK_NONE"),
        ("HARM_CATEGORY_UNSPECIFIED", "HARM_CATEGORY_UNSPECIFIED"),
        ("flex", "FLEX"),
        ("gizmo-v2", "GIZMO_V2"),
        ("image/png", "IMAGE_PNG"),
        ("a.b-c", "A_B_C"),
        ("1:1", "V1_1"),
        ("16:9", "V16_9"),
        ("2", "V2"),
        ("None", "NONE"),
        ("-x-", "X"),
        ("", "V"),
    ],
)
def test_enum_member_name(value: str, member: str) -> None:
    name = naming.enum_member_name(value)
    assert name == member
    assert name.isidentifier() and not keyword.iskeyword(name)


@pytest.mark.parametrize(
    ("schema", "cls"),
    [
        ("Part", "Part"),
        ("GenerateContentResponse", "GenerateContentResponse"),
        ("camel", "Camel"),
        ("Foo.Bar", "FooBar"),
        ("with-dash", "Withdash"),
        ("1x", "T1x"),
        ("", "T"),
    ],
)
def test_class_name(schema: str, cls: str) -> None:
    assert naming.class_name(schema) == cls
    assert cls.isidentifier()


def test_method_and_constant_names() -> None:
    assert naming.method_name("GenerateContent") == "generate_content"
    assert naming.method_name("StreamGenerateContent") == "stream_generate_content"
    assert naming.method_name("Import") == "import_"
    assert naming.constant_name("GenerateContent") == "GENERATE_CONTENT"
    assert (
        naming.constant_name("StreamGenerateContentByTunedModel")
        == "STREAM_GENERATE_CONTENT_BY_TUNED_MODEL"
    )


@pytest.mark.parametrize(
    ("cls", "module"),
    [("GenerateContentResponse", "generate_content_response"), ("Import", "import_")],
)
def test_module_name(cls: str, module: str) -> None:
    assert naming.module_name(cls) == module
