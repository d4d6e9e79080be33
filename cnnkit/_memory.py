"""Keep freed memory for the next call instead of returning it to the system (glibc only).

A forward and backward pass of a convolution allocates arrays of a few megabytes (the
im2col columns, their gradient, the padded images) and frees them at the end. The C
library's allocator (glibc on Linux) hands memory back to the system when the free space
at the top of its heap grows past a threshold, and that threshold follows what the
process freed before. So, depending on what ran earlier, the next call may have to ask
for its memory again; the system then provides it one 4 KiB page at a time, each a
"page fault". Measured with ``benchmarks/bench.py``'s shapes in a fresh process, on
this project's AMD EPYC: ``conv2d_forward`` + ``conv2d_backward`` on a (64, 1, 28, 28)
batch with six 5x5 filters took 7.8 ms with about 2,000 page faults per call, and
2.5 ms with none once the thresholds below were set; on (32, 64, 32, 32) with 64 3x3
filters, 110 ms against 98 ms.

:func:`keep_freed_memory` (called once, when ``cnnkit`` is imported) sets two thresholds
with ``mallopt``: arrays below 32 MiB come from the heap (32 MiB is the largest value
glibc accepts, and the largest it would choose on its own), and up to 64 MiB of freed
memory stays in the process for the next allocation. It changes nothing else, and
nothing at all where the C library is not glibc, or where the user has set one of
glibc's own ``MALLOC_*_`` environment variables (their choice wins).
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["keep_freed_memory"]

# mallopt's parameter numbers, from glibc's <malloc.h>
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 64 * 2**20

# the environment variables through which a user tunes glibc's allocator directly
USER_SETTINGS = (
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_MMAP_MAX_",
)


def keep_freed_memory() -> bool:
    """Set glibc's thresholds as described in the module docstring; True if they were set.

    False, and nothing changed, when the C library is not glibc, when ``mallopt`` refuses
    a value, or when the environment already holds one of :data:`USER_SETTINGS`.
    """
    if not _glibc() or any(name in os.environ for name in USER_SETTINGS):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # the mmap threshold first: setting either one stops glibc from adapting both
    return bool(
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )


def _glibc() -> bool:
    """Whether the C library is glibc (it answers CS_GNU_LIBC_VERSION; musl, macOS do not)."""
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):
        return False
