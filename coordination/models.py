"""The models of the regional core, gathered for Django (app label ``coordination``).

Each noun keeps its models in its own package; other apps may import them from here.
"""

from coordination.audit.models import AuditEntry
from coordination.jobs.models import JobRun
from coordination.notifications.models import Notification
from coordination.outbox.models import OutboxMessage
from coordination.people.models import Agency, User
from coordination.reference.models import Axis, Bilingual, Commune, PoliceZone, in_reader_language
from coordination.strategy.models import CoresDecision, CoresMeeting, Strategy, StrategyPeriod

__all__ = [
    "Agency",
    "AuditEntry",
    "Axis",
    "Bilingual",
    "Commune",
    "CoresDecision",
    "CoresMeeting",
    "JobRun",
    "Notification",
    "OutboxMessage",
    "PoliceZone",
    "Strategy",
    "StrategyPeriod",
    "User",
    "in_reader_language",
]
