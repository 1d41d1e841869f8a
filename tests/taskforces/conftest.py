"""Fixtures of the task-force tests."""

import pytest

from tests.factories_taskforces import Cast


@pytest.fixture
def cast(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst) -> Cast:
    """The Midi task force with its members from several agencies and a complete plan."""
    return Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )
