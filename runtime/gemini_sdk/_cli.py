"""The `gemini-sdk` command line (also `python -m gemini_sdk`), on click: the everyday jobs from
a terminal or a script.

The key comes from the environment as for `gemini_sdk.Client()` (GEMINI_API_KEY, or
GOOGLE_API_KEY, which wins when both are set) and is never printed; `--base-url` (or
GOOGLE_GEMINI_BASE_URL) points the commands elsewhere, at an emulator say. Results go to
stdout: text as it is, a resource as JSON, a listing as one name a line (JSON Lines with
`--json`); progress and errors go to stderr, an error as one `error: ...` line.

Exit codes:
    0  done
    1  the service answered with an error (errors.APIError)
    2  usage: a wrong option or argument, no API key, input refused before any request
    3  the service could not be reached, or did not answer in time
    4  a local file could not be read or written
    130  interrupted (Ctrl-C)
    141  stdout was closed early (`gemini-sdk models list | head -1`), as for SIGPIPE
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

import gemini_sdk as genai
from gemini_sdk import errors

F = TypeVar("F", bound=Callable[..., Any])

OK, API_ERROR, USAGE, UNREACHABLE, LOCAL_FILE, INTERRUPTED, CLOSED_PIPE = 0, 1, 2, 3, 4, 130, 141
DEFAULT_MODEL = "gemini-2.5-flash"


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class _Context:
    """What every command shares: where the service is, and the client made on first use."""

    def __init__(self, base_url: str | None, attempts: int | None) -> None:
        self.base_url = base_url
        self.attempts = attempts
        self._client: genai.Client | None = None

    @property
    def client(self) -> genai.Client:
        if self._client is None:
            options: dict[str, Any] = {}
            if self.base_url:
                options["base_url"] = self.base_url
            if self.attempts is not None:
                options["retry_options"] = {"attempts": self.attempts}
            try:
                self._client = genai.Client(http_options=options)
            except ValueError as error:  # no key, or a malformed option
                _fail(str(error), USAGE)
        return self._client


def _calling(command: F) -> F:
    """Runs a command with the SDK's exceptions turned into an exit code and one line."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (errors.APIConnectionError, errors.APITimeoutError) as error:
            _fail(str(error), UNREACHABLE)
        except errors.GeminiError as error:
            _fail(str(error), API_ERROR)
        except (TypeError, ValueError) as error:
            _fail(str(error), USAGE)
        except BrokenPipeError:
            # Whatever is still buffered would fail again as the interpreter exits.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(CLOSED_PIPE)
        except OSError as error:
            _fail(str(error), LOCAL_FILE)

    return click.pass_obj(run)  # type: ignore[return-value]


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _print_resource(resource: Any) -> None:
    _print_json(resource.to_dict())


def _print_listing(items: Iterable[Any], as_json: bool) -> None:
    for item in items:
        click.echo(json.dumps(item.to_dict(), ensure_ascii=False) if as_json else item.name)


def _prompt_text(prompt: str) -> str:
    """`-` reads the prompt from stdin."""
    return sys.stdin.read() if prompt == "-" else prompt


@contextlib.contextmanager
def _progress_bar(label: str, quiet: bool) -> Iterator[Callable[[int, int | None], None] | None]:
    """A progress callback drawing a bar on stderr, from the first report on, since only
    that tells the total; None with `quiet`."""
    if quiet:
        yield None
        return
    with contextlib.ExitStack() as opened:
        bar: Any = None
        shown = 0

        def report(done: int, total: int | None) -> None:
            nonlocal bar, shown
            if bar is None:
                made = click.progressbar(length=total or done, label=label, file=sys.stderr)
                bar = opened.enter_context(made)
            bar.update(done - shown)
            shown = done

        yield report


json_flag = click.option("--json", "as_json", is_flag=True, help="print JSON Lines of the objects")
model_option = click.option("--model", "-m", default=DEFAULT_MODEL, show_default=True)


def _resource_commands(group: click.Group, resource: str, noun: str, *verbs: str) -> None:
    """The `list`, `get`, `delete` and `cancel` commands (those of `verbs`) of a group, each
    one call of `client.<resource>`'s method of that name."""

    def of(ctx: _Context) -> Any:
        return getattr(ctx.client, resource)

    if "list" in verbs:

        @group.command("list", help=f"List the {noun}s' names.")
        @json_flag
        @_calling
        def listing(ctx: _Context, as_json: bool) -> None:
            _print_listing(of(ctx).list(), as_json)

    if "get" in verbs:

        @group.command("get", help=f"Print a {noun} as JSON.")
        @click.argument("name")
        @_calling
        def get(ctx: _Context, name: str) -> None:
            _print_resource(of(ctx).get(name=name))

    for verb in ("cancel", "delete"):
        if verb in verbs:

            @group.command(verb, help=f"{verb.capitalize()} a {noun}.")
            @click.argument("name")
            @_calling
            def act(ctx: _Context, name: str, verb: str = verb) -> None:
                getattr(of(ctx), verb)(name=name)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--base-url",
    envvar="GOOGLE_GEMINI_BASE_URL",
    metavar="URL",
    help="the service's address (an emulator's, say); GOOGLE_GEMINI_BASE_URL too",
)
@click.option(
    "--attempts",
    type=click.IntRange(min=1),
    help="tries per request in all, retries included (1: no retries); 3 unless given",
)
@click.version_option(genai.__version__, prog_name="gemini-sdk")
@click.pass_context
def cli(context: click.Context, base_url: str | None, attempts: int | None) -> None:
    """Gemini API from the command line. The key comes from GEMINI_API_KEY or GOOGLE_API_KEY.

    Exit codes: 0 done, 1 API error, 2 usage error, 3 service unreachable, 4 local file
    error, 130 interrupted, 141 output closed early.
    """
    context.obj = _Context(base_url, attempts)


@cli.command()
@click.argument("prompt")
@model_option
@click.option("--stream", is_flag=True, help="print the answer as it is produced")
@click.option("--system", metavar="TEXT", help="a system instruction")
@click.option(
    "--json-schema",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a JSON Schema file the answer must follow (the answer is then JSON)",
)
@_calling
def generate(
    ctx: _Context,
    prompt: str,
    model: str,
    stream: bool,
    system: str | None,
    json_schema: Path | None,
) -> None:
    """Generate an answer to PROMPT (`-` reads it from stdin) and print its text."""
    config: dict[str, Any] = {}
    if system is not None:
        config["system_instruction"] = system
    if json_schema is not None:
        try:
            schema = json.loads(json_schema.read_text())
        except json.JSONDecodeError as error:
            _fail(f"--json-schema: {json_schema} is not JSON: {error}", USAGE)
        config.update(response_mime_type="application/json", response_json_schema=schema)
    contents = _prompt_text(prompt)
    models = ctx.client.models
    if stream:
        with models.generate_content_stream(model=model, contents=contents, config=config) as s:
            for chunk in s:
                click.echo(chunk.text or "", nl=False)
        click.echo()
        return
    click.echo(models.generate_content(model=model, contents=contents, config=config).text or "")


@cli.command("count-tokens")
@click.argument("prompt")
@model_option
@_calling
def count_tokens(ctx: _Context, prompt: str, model: str) -> None:
    """Print how many tokens PROMPT (`-`: stdin) counts for the model."""
    counted = ctx.client.models.count_tokens(model=model, contents=_prompt_text(prompt))
    click.echo(int(counted.total_tokens or 0))


@cli.group()
def models() -> None:
    """The models: list, get."""


@models.command("get")
@click.argument("name")
@_calling
def models_get(ctx: _Context, name: str) -> None:
    """Print a model's card as JSON."""
    _print_resource(ctx.client.models.get(model=name))


@cli.group()
def files() -> None:
    """The Files API: upload, list, get, delete, download."""


@files.command("upload")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mime-type", help="unless given, guessed from the file name")
@click.option("--display-name")
@click.option("--quiet", "-q", is_flag=True, help="no progress bar")
@click.option("--json", "as_json", is_flag=True, help="print the File as JSON")
@_calling
def files_upload(
    ctx: _Context,
    path: Path,
    mime_type: str | None,
    display_name: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Upload the file at PATH and print its name (files/...)."""
    with _progress_bar(f"Uploading {path.name}", quiet) as progress:
        config = {"mime_type": mime_type, "display_name": display_name, "progress": progress}
        uploaded = ctx.client.files.upload(
            file=path, config={k: v for k, v in config.items() if v is not None}
        )
    if as_json:
        _print_resource(uploaded)
    else:
        click.echo(getattr(uploaded, "name", None))


@files.command("download")
@click.argument("name")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="write the bytes here (with a progress bar) rather than to stdout",
)
@click.option("--quiet", "-q", is_flag=True, help="no progress bar")
@_calling
def files_download(ctx: _Context, name: str, output: Path | None, quiet: bool) -> None:
    """Download a file's bytes."""
    # Opened first, so that a path that cannot be written fails before the download; a
    # failed download leaves no empty file behind.
    with contextlib.ExitStack() as opened:
        out = sys.stdout.buffer if output is None else opened.enter_context(output.open("wb"))
        try:
            with _progress_bar(f"Downloading {name}", quiet or output is None) as progress:
                data = ctx.client.files.download(file=name, config={"progress": progress})
        except BaseException:
            if output is not None:
                output.unlink()
            raise
        out.write(data)
        out.flush()


@cli.group()
def caches() -> None:
    """Cached contents: create, list, get, delete."""


@caches.command("create")
@model_option
@click.option("--text", "texts", multiple=True, help="text to cache (repeatable)")
@click.option("--file", "file_names", multiple=True, help="an uploaded file to cache (repeatable)")
@click.option("--system", metavar="TEXT", help="a system instruction to cache")
@click.option("--ttl", type=click.IntRange(min=1), help="seconds to keep it")
@click.option("--display-name")
@_calling
def caches_create(
    ctx: _Context,
    model: str,
    texts: tuple[str, ...],
    file_names: tuple[str, ...],
    system: str | None,
    ttl: int | None,
    display_name: str | None,
) -> None:
    """Cache contents for later prompts and print the cache's name."""
    client = ctx.client
    parts: list[Any] = [*texts, *(client.files.get(name=name) for name in file_names)]
    config = {
        "contents": parts or None,
        "system_instruction": system,
        "ttl": ttl,
        "display_name": display_name,
    }
    cache = client.caches.create(
        model=model, config={k: v for k, v in config.items() if v is not None}
    )
    click.echo(cache.name)


@cli.group()
def batches() -> None:
    """Batch jobs: create, list, get, cancel, delete."""


@batches.command("create")
@click.argument("prompts", nargs=-1, required=True)
@model_option
@click.option("--display-name")
@_calling
def batches_create(
    ctx: _Context, prompts: tuple[str, ...], model: str, display_name: str | None
) -> None:
    """Start a batch job answering each of PROMPTS and print the job's name."""
    config = {"display_name": display_name} if display_name else None
    job = ctx.client.batches.create(model=model, src=list(prompts), config=config)
    click.echo(job.name)


_resource_commands(models, "models", "model", "list")
_resource_commands(files, "files", "file", "list", "get", "delete")
_resource_commands(caches, "caches", "cache", "list", "get", "delete")
_resource_commands(batches, "batches", "batch job", "list", "get", "cancel", "delete")


@cli.group()
def emulator() -> None:
    """The local Gemini API emulator (needs the `testing` extra)."""


@emulator.command(
    "serve", context_settings={"ignore_unknown_options": True, "allow_extra_args": True}
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option("--state", metavar="DIR", help="keep what it holds in DIR across restarts")
@click.argument("more", nargs=-1, type=click.UNPROCESSED)
def emulator_serve(host: str, port: int, state: str | None, more: tuple[str, ...]) -> None:
    """Serve the emulator until interrupted. Other options go to `python -m
    gemini_sdk.testing` (--record, --replay, --extra-models, ...; see its --help)."""
    try:
        from gemini_sdk.testing.__main__ import main as serve
    except ModuleNotFoundError as missing:
        _fail(f"{missing}; install the testing extra: pip install 'gemini-sdk[testing]'", USAGE)
    argv = ["--host", host, "--port", str(port), *(["--state", state] if state else []), *more]
    sys.exit(serve(argv))


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="gemini-sdk", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return INTERRUPTED
    except click.ClickException as error:
        error.show()
        return error.exit_code if error.exit_code != 1 else USAGE
    except KeyboardInterrupt:
        return INTERRUPTED
    return OK
