"""Video generation (Veo, predictLongRunning), sync and async, against the emulator in-process:
the exact request, the local checks that raise before any request, polling the operation until
done, and downloading and saving a generated MP4."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

import gemini_sdk as genai
from gemini_sdk import errors, types
from gemini_sdk.testing import Emulator
from gemini_sdk.testing._tokens import mp4_seconds
from gemini_sdk.testing._videos import mp4

MODEL = "veo-3.1-generate-preview"
POLLS = 2
PNG = b"\x89PNG\r\n\x1a\nframe"
IMAGE = types.Image(image_bytes=PNG, mime_type="image/png")
IMAGE_JSON = {"bytesBase64Encoded": base64.b64encode(PNG).decode(), "mimeType": "image/png"}


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(operation_polls=POLLS)


class Side:
    """One client's view, sync or async, with awaiting hidden."""

    def __init__(self, client: genai.Client, is_async: bool) -> None:
        self.client = client
        self.is_async = is_async

    async def call(self, resource: str, method: str, *args: Any, **kwargs: Any) -> Any:
        root = self.client.aio if self.is_async else self.client
        result = getattr(getattr(root, resource), method)(*args, **kwargs)
        return await result if self.is_async else result

    async def generate(self, **kwargs: Any) -> Any:
        return await self.call("models", "generate_videos", model=MODEL, **kwargs)


@pytest.fixture(params=["sync", "async"])
def side(request: pytest.FixtureRequest, emulator: Emulator) -> Side:
    return Side(emulator.client(), request.param == "async")


def _sent(emulator: Emulator) -> Any:
    request = emulator.requests[-1]
    assert request.operation == "PredictLongRunning"
    return request.body


async def test_text_to_video_request_and_operation(side: Side, emulator: Emulator) -> None:
    operation = await side.generate(
        prompt="A robot walking through a futuristic city",
        config=types.GenerateVideosConfig(
            number_of_videos=2,
            aspect_ratio="9:16",
            resolution="1080p",
            duration_seconds=6,
            negative_prompt="rain",
            person_generation="allow_adult",
            seed=7,
            enhance_prompt=True,
            generate_audio=True,
        ),
    )
    assert _sent(emulator) == {
        "instances": [{"prompt": "A robot walking through a futuristic city"}],
        "parameters": {
            "sampleCount": 2,
            "aspectRatio": "9:16",
            "resolution": "1080p",
            "durationSeconds": 6,
            "negativePrompt": "rain",
            "personGeneration": "allow_adult",
            "seed": 7,
            "enhancePrompt": True,
            "generateAudio": True,
        },
    }
    assert isinstance(operation, types.GenerateVideosOperation)
    assert operation.name.startswith(f"models/{MODEL}/operations/")
    assert not operation.done
    assert operation.response is None


async def test_image_to_video_with_last_frame(side: Side, emulator: Emulator) -> None:
    await side.generate(
        prompt="the flower opens",
        image={"image_bytes": PNG, "mime_type": "image/png"},
        config=types.GenerateVideosConfig(last_frame=IMAGE),
    )
    assert _sent(emulator)["instances"] == [
        {"prompt": "the flower opens", "image": IMAGE_JSON, "lastFrame": IMAGE_JSON}
    ]


async def test_three_reference_images_are_sent(side: Side, emulator: Emulator) -> None:
    references = [
        types.VideoGenerationReferenceImage(image=IMAGE, reference_type="asset") for _ in range(3)
    ]
    await side.generate(
        prompt="a dress on a runway",
        config=types.GenerateVideosConfig(reference_images=references),
    )
    assert (
        _sent(emulator)["instances"][0]["referenceImages"]
        == [{"image": IMAGE_JSON, "referenceType": "asset"}] * 3
    )


async def test_a_fourth_reference_image_raises_before_the_request(
    side: Side, emulator: Emulator
) -> None:
    references = [types.VideoGenerationReferenceImage(image=IMAGE) for _ in range(4)]
    with pytest.raises(ValueError, match=r"config\.reference_images: at most 3 .* got 4"):
        await side.generate(
            prompt="x", config=types.GenerateVideosConfig(reference_images=references)
        )
    assert emulator.requests == []


async def test_video_extension_sends_the_video_and_checks_its_length(
    side: Side, emulator: Emulator
) -> None:
    first = await side.call("operations", "wait", await side.generate(prompt="a boat"), poll=0.001)
    earlier = first.response.generated_videos[0].video
    await side.generate(
        prompt="the boat reaches land", video=earlier, config={"duration_seconds": 7}
    )
    assert _sent(emulator)["instances"] == [
        {"prompt": "the boat reaches land", "video": {"uri": earlier.uri}}
    ]
    count = len(emulator.requests)
    with pytest.raises(ValueError, match=r"config\.duration_seconds: .* at most 7 seconds, got 8"):
        await side.generate(video=earlier, config={"duration_seconds": 8})
    assert len(emulator.requests) == count


async def test_a_video_given_as_bytes_travels_encoded(side: Side, emulator: Emulator) -> None:
    await side.generate(video={"video_bytes": b"mp4 bytes"})
    assert _sent(emulator)["instances"] == [
        {"video": {"encodedVideo": base64.b64encode(b"mp4 bytes").decode()}}
    ]


async def test_a_video_with_its_mime_type_and_a_generated_video_are_accepted(
    side: Side, emulator: Emulator
) -> None:
    await side.generate(video=types.Video(video_bytes=b"mp4 bytes", mime_type="video/mp4"))
    assert _sent(emulator)["instances"] == [
        {
            "video": {
                "encodedVideo": base64.b64encode(b"mp4 bytes").decode(),
                "encoding": "video/mp4",
            }
        }
    ]
    uri = "https://example.com/v1beta/files/abc:download?alt=media"
    await side.generate(video=types.GeneratedVideo(video=types.Video(uri=uri)))
    assert _sent(emulator)["instances"] == [{"video": {"uri": uri}}]


async def test_a_downloaded_video_stays_filled_on_the_response(side: Side, tmp_path: Path) -> None:
    done = await side.call("operations", "wait", await side.generate(prompt="a cat"), poll=0.001)
    assert done.response.generated_videos[0].video.mime_type == "video/mp4"
    await side.call("files", "download", file=done.response.generated_videos[0])
    # the seed's way: download, then save through the response again
    done.response.generated_videos[0].video.save(tmp_path / "cat.mp4")
    assert (tmp_path / "cat.mp4").read_bytes()[4:8] == b"ftyp"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"prompt": "x", "config": {"aspect_ratio": "1:1"}}, ValueError, r"config\.aspect_ratio"),
        ({"prompt": "x", "config": {"resolution": "4k"}}, ValueError, r"config\.resolution"),
        ({}, ValueError, "a prompt, an image or a video"),
        ({"image": b"raw"}, TypeError, r"image: expected an Image"),
        ({"video": 3}, TypeError, r"video: expected a Video"),
        (
            {"prompt": "x", "config": {"last_frame": {"mime_type": "image/png"}}},
            ValueError,
            r"config\.last_frame: the image has no image_bytes",
        ),
        ({"prompt": "x", "config": {"frames": 2}}, TypeError, "frames"),
    ],
)
async def test_bad_input_raises_before_the_request(
    side: Side, emulator: Emulator, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        await side.generate(**kwargs)
    assert emulator.requests == []


async def test_get_refreshes_until_done_then_download_and_save(
    side: Side, emulator: Emulator, tmp_path: Path
) -> None:
    operation = await side.generate(prompt="a robot", config={"duration_seconds": 6})
    polls = 0
    while not operation.done:
        operation = await side.call("operations", "get", operation)
        assert isinstance(operation, types.GenerateVideosOperation)
        polls += 1
    assert polls == POLLS
    assert operation.error is None
    video = operation.response.generated_videos[0]
    assert isinstance(video, types.GeneratedVideo)
    assert video.video.video_bytes is None
    data = await side.call("files", "download", file=video.video)
    assert video.video.video_bytes == data
    video.video.save(tmp_path / "output.mp4")
    saved = (tmp_path / "output.mp4").read_bytes()
    assert saved[4:8] == b"ftyp"
    assert mp4_seconds(saved) == 6


async def test_wait_returns_the_finished_typed_operation(side: Side) -> None:
    operation = await side.generate(prompt="waves", config={"number_of_videos": 2})
    root = side.client.aio if side.is_async else side.client
    waited = root.operations.wait(operation, poll=0.001)
    done = await waited if side.is_async else waited
    assert isinstance(done, types.GenerateVideosOperation)
    assert len(done.response.generated_videos) == 2


def test_saving_before_download_says_how_to_fetch(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="files.download"):
        types.Video(uri="https://example.com/v1beta/files/abc:download?alt=media").save(
            tmp_path / "x.mp4"
        )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"parameters": {"aspectRatio": "1:1"}}, "parameters.aspectRatio"),
        ({"parameters": {"durationSeconds": 9}}, "parameters.durationSeconds"),
        ({"parameters": {"sampleCount": 5}}, "parameters.sampleCount"),
        (
            {"instances": [{"prompt": "x", "referenceImages": [{"image": IMAGE_JSON}] * 4}]},
            "instances[0].referenceImages: at most 3",
        ),
    ],
)
def test_the_emulator_answers_400_for_what_the_service_refuses(
    emulator: Emulator, extra: dict[str, Any], field: str
) -> None:
    with pytest.raises(errors.InvalidArgument) as caught:
        emulator.client().models.generate_videos(model=MODEL, prompt="x", extra_body=extra)
    assert f"PredictLongRunningRequest.{field}" in str(caught.value)


def test_the_emulator_limits_an_extension_to_seven_seconds(emulator: Emulator) -> None:
    client = emulator.client()
    with pytest.raises(
        errors.InvalidArgument, match=r"durationSeconds: an extension lasts from 4 to 7"
    ):
        client.models.generate_videos(
            model=MODEL,
            video={"uri": "https://example.com/v1beta/files/abc"},
            extra_body={"parameters": {"durationSeconds": 8}},
        )


def test_only_video_models_serve_predict_long_running(emulator: Emulator) -> None:
    with pytest.raises(errors.NotFound):
        emulator.client().models.generate_videos(model="gemini-2.5-flash", prompt="x")


def test_another_key_cannot_read_the_operation(emulator: Emulator) -> None:
    operation = emulator.client().models.generate_videos(model=MODEL, prompt="x")
    with pytest.raises(errors.NotFound):
        emulator.client(api_key="other-key").operations.get(operation)


@pytest.mark.parametrize("seconds", [4, 6.5, 8])
def test_the_mp4_has_the_duration_asked_for(seconds: float) -> None:
    data = mp4(seconds, b"seed")
    assert data[4:8] == b"ftyp"
    assert mp4_seconds(data) == seconds
