"""GetOperation and its siblings: one handler for every route an operation is read by.

Operations live under several collections (`fileSearchStores/s/operations/o`,
`fileSearchStores/s/upload/operations/o`, `models/m/operations/o`, ...); the route's path,
filled with its parameters, is the operation's name. Batch jobs (`batches/b`) are read by
_batches.
"""

from __future__ import annotations

from gemini_sdk.testing._call import Call
from gemini_sdk.testing._handlers import handles
from gemini_sdk.testing._reply import Reply, json_reply

ROUTES = (
    "GetOperation",
    "GetOperationByCorpusAndOperation",
    "GetOperationByFileSearchStoreAndOperation",
    "GetOperationByFileSearchStoresIdAndOperationsId",
    "GetOperationByGeneratedFileAndOperation",
    "GetOperationByModelAndOperation",
)


def get_operation(call: Call) -> Reply:
    name = call.operation.path.format(**call.params)
    return json_reply(call.state.operations.poll(call.owner, name))


for _route in ROUTES:
    handles(_route)(get_operation)
