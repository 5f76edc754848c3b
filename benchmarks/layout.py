"""Where a benchmark run keeps its worlds (benchmarks/.work/<scale>/, ignored by git) and how they are made."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .world import Scale, ScaleWorld

WORK_DIR = Path(__file__).resolve().parent / ".work"
NEW_DAY = date(2026, 10, 31)  # the day a daily run adds
# Bumped when the generator's output changes, so worlds generated before are made again.
WORLD_FORMAT = 2
SCALES = {"full": 1.0, "small": 0.05, "tiny": 0.002}


@dataclass(frozen=True)
class Plan:
    name: str
    share: float
    history_days: int = 365
    seed: int = 2026
    work_dir: Path = field(default=WORK_DIR, compare=False)

    @property
    def scale(self) -> Scale:
        return Scale() if self.share >= 1.0 else Scale.fraction(self.share)

    @property
    def root(self) -> Path:
        return self.work_dir / self.name

    def world(self, days: int) -> ScaleWorld:
        return ScaleWorld(end_date=NEW_DAY - timedelta(days=1), days=days, scale=self.scale, seed=self.seed)

    def history(self) -> list[date]:
        return self.world(self.history_days).window()


def plan_for(scale: str, history_days: int = 365, work_dir: Path | None = None) -> Plan:
    share = SCALES.get(scale)
    if share is None:
        share = float(scale)
    return Plan(scale if scale in SCALES else f"x{share:g}", share, history_days, work_dir=work_dir or WORK_DIR)


def ensure_landing(plan: Plan, home: Path, days: list[date], log=print) -> dict:
    """The landing zone of ``home`` holds exactly these generated days (reused when already there)."""
    marker = home / "landing.json"
    spec = {k: v for k, v in asdict(plan).items() if k != "work_dir"}
    wanted = {"format": WORLD_FORMAT, "plan": spec, "first": days[0].isoformat(), "last": days[-1].isoformat(), "days": len(days)}
    if marker.exists():
        known = json.loads(marker.read_text())
        if known.get("spec") == wanted:
            return known
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    started = time.perf_counter()
    counts = plan.world(plan.history_days).generate(home / "landing", days=days)
    seconds = time.perf_counter() - started
    log(f"generated {len(days)} days into {home / 'landing'} in {seconds:.0f} s: {counts}")
    info = {"spec": wanted, "seconds": seconds, "rows": counts}
    marker.write_text(json.dumps(info, indent=1))
    return info
