"""What an upload accepts: a path, raw bytes, or a binary file object."""

from __future__ import annotations

import os
from typing import BinaryIO, Union

UploadSource = Union[str, "os.PathLike[str]", bytes, BinaryIO]
