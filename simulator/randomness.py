"""Independent, order-free random streams: one per (day, concern)."""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """The concerns that draw random numbers; each gets its own child stream."""

    WORLD = 1
    POPULATION = 2
    JOURNEY = 3
    GA4 = 4
    POS = 5
    CRM = 6
    SOCIAL = 7
    MALFORMED = 8


PRE_SIMULATION_DAY = 1_000_000  #: pseudo day index used for draws made before day 0


def stream(seed: int, concern: Stream, day: int = PRE_SIMULATION_DAY, part: int = 0) -> np.random.Generator:
    """Return the generator of ``concern`` on ``day`` (``part`` separates sub-streams)."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(int(concern), day, part))
    return np.random.Generator(np.random.PCG64(sequence))
