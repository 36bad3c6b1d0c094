"""The simulated omnichannel retail world: source exports (landing zone) plus ground truth."""

from simulator.config import SimulationConfig
from simulator.engine import simulate_world
from simulator.summary import SimulationSummary

__all__ = ["SimulationConfig", "SimulationSummary", "simulate_world"]
