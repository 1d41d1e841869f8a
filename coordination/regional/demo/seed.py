"""The whole demo (DEBUG only), app by app from the bottom layer up.

Idempotent: running it twice changes nothing. Each app keeps its own ``demo.py``.
"""

from __future__ import annotations

from coordination.models import User
from coordination.people.demo import seed_agencies, seed_people, seed_two_factor
from coordination.regional.cores import demo as cores_demo
from coordination.strategy.demo import seed_strategy
from hotspots import demo as hotspot_demo
from hotspots import demo_indicators, demo_orders
from reporting import demo as reporting_demo
from taskforces import demo as taskforce_demo
from taskforces import demo_displacement
from taskforces.models import TaskForce


def seed() -> dict[str, User]:
    """The whole demo, app by app (the regional layer sits on top of every app)."""
    agencies = seed_agencies()
    people = seed_people(agencies)
    seed_strategy(by=people["csir.coordinator"])
    hotspots = hotspot_demo.seed(people=people)
    demo_orders.seed(people=people, hotspots=hotspots)
    demo_indicators.seed(people=people, hotspots=hotspots)
    taskforce_demo.seed(people=people, hotspots=hotspots, agencies=agencies)
    cores_demo.seed(people=people, taskforces=list(TaskForce.objects.order_by("hotspot__code")))
    demo_displacement.seed(people=people, hotspots=hotspots)
    reporting_demo.seed(people=people)
    # Last: the task forces have put the police and prosecutors in their circles.
    seed_two_factor()
    return people
