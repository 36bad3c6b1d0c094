"""True funnel stage and buying-cycle position from a person's facts (rules in config.py)."""

from __future__ import annotations

import numpy as np

from simulator.config import SimulationConfig
from simulator.state import (
    ADVOCACY,
    AWARENESS,
    CONSIDERATION,
    CONVERSION,
    LAPSED,
    LOYALTY,
    NO_STAGE,
    JourneyState,
)

BUYING_CYCLES: tuple[str, ...] = ("visitor", "cold_prospect", "warm_prospect", "customer", "ambassador")
VISITOR, COLD_PROSPECT, WARM_PROSPECT, CUSTOMER_CYCLE, AMBASSADOR = range(5)


def funnel_stage(state: JourneyState, day: int, config: SimulationConfig) -> np.ndarray:
    """Stage index of every person at the end of ``day`` (NO_STAGE when unaware)."""
    window_start = day - config.consideration_window_days + 1
    considering = (state.prev_view_day >= window_start) | (state.last_cart_day >= window_start)
    idle_since = day - config.lapse_after_days
    lapsed = (state.last_activity_day <= idle_since) & (state.last_purchase_day <= idle_since)
    customer_stage = np.select(
        [lapsed, state.advocate, state.loyal], [LAPSED, ADVOCACY, LOYALTY], default=CONVERSION
    )
    prospect_stage = np.select([considering, state.aware], [CONSIDERATION, AWARENESS], default=NO_STAGE)
    return np.where(state.purchase_count > 0, customer_stage, prospect_stage).astype(np.int8)


def buying_cycle(stage: np.ndarray, known_to_crm: np.ndarray) -> np.ndarray:
    """Buying-cycle index for funnel stages (see the mapping in config.py)."""
    awareness_cycle = np.where(known_to_crm, COLD_PROSPECT, VISITOR)
    return np.select(
        [stage == NO_STAGE, stage == AWARENESS, stage == CONSIDERATION, stage == ADVOCACY],
        [NO_STAGE, awareness_cycle, WARM_PROSPECT, AMBASSADOR],
        default=CUSTOMER_CYCLE,
    ).astype(np.int8)
