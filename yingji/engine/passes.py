"""The engine's own passes (imported by the engine's pass discovery)."""

from yingji.engine import services  # noqa: F401  (registers engine.timers and engine.reaper)
