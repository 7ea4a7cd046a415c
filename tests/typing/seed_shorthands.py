"""Seed-style code that must type-check under mypy --strict (see test_typing.py).

Lines ending in `# error: CODE` must be reported with that code, and only those.
"""

import dataclasses

import gemini_sdk as genai
from gemini_sdk import types

client = genai.Client(api_key="k")
tools = [
    types.Tool(code_execution=types.ToolCodeExecution),
    types.Tool(google_search=types.GoogleSearch()),
    types.Tool(url_context={}),
    types.Tool(computer_use=types.ComputerUse(environment=types.Environment.ENVIRONMENT_BROWSER)),
]
config = types.GenerateContentConfig(
    system_instruction="You are a helpful assistant.",
    temperature=0.7,
    max_output_tokens=1000,
    top_k=40,
    safety_settings=[
        types.SafetySetting(
            category=types.HarmCategory.HARM_CATEGORY_HATE_SPEECH, threshold="BLOCK_ONLY_HIGH"
        )
    ],
    tools=tools,
    thinking_config=types.ThinkingConfig(thinking_level="low"),
)
response = client.models.generate_content(model="gemini-2.5-flash", contents="hi", config=config)
text: str | None = response.text
count = client.models.count_tokens(model="gemini-2.5-flash", contents="How many tokens?")
total: int = int(count)
names = [m.name for m in client.models.list()]
image = types.Part.from_bytes(data=b"\x89PNG", mime_type="image/png")
history = [types.Content(role="user", parts=[image, types.Part(text="describe")])]
turns: list[types.Content] = [types.UserContent("hi"), types.ModelContent(parts=[image, "a PNG"])]
count_plus_one: int = client.models.count_tokens(model="gemini-2.5-flash", contents="x") + 1


@dataclasses.dataclass
class Item:
    name: str


def get_weather(city: str) -> dict[str, str]:
    """The weather in a city."""
    return {"city": city}


typed = types.GenerateContentConfig(
    response_schema=list[Item],
    response_json_schema=Item | None,
    tools=[get_weather, types.Tool(google_search=types.GoogleSearch())],
    automatic_function_calling=types.AutomaticFunctionCallingConfig(maximum_remote_calls=3),
)
called = client.models.generate_content(model="gemini-2.5-flash", contents="hi", config=typed)
calls_made: list[types.Content] | None = called.automatic_function_calling_history
declared: types.FunctionDeclaration = types.FunctionDeclaration.from_callable(callable=get_weather)
schema: types.Schema = types.Schema.from_type(Item)

types.Part(text=5)  # error: arg-type
misspelt = response.txet  # error: attr-defined
types.ThinkingConfig(thinking_budget="1024")  # error: arg-type
types.UserContent("hi", role="model")  # error: call-arg
