"""Pillow images in contents, as google-genai users pass them, under mypy --strict.

Lines ending in `# error: CODE` must be reported with that code, and only those.
"""

from __future__ import annotations

import PIL.Image

import gemini_sdk as genai

MODEL = "gemini-2.5-flash"
client = genai.Client(api_key="k")
image = PIL.Image.new("RGB", (4, 4))
opened = PIL.Image.open("photo.jpg")

client.models.generate_content(model="gemini-2.5-flash", contents=[image, "Caption this"])
client.models.generate_content(model="gemini-2.5-flash", contents=opened)
client.models.count_tokens(model="gemini-2.5-flash", contents=["Two images", image, opened])
client.models.generate_content_stream(model="gemini-2.5-flash", contents=[[image, "caption"]])
client.models.generate_content(model=MODEL, contents=[image.size])  # error: list-item
client.models.generate_content(model=MODEL, contents=3)  # error: arg-type
