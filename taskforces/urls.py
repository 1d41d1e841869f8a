"""The taskforces URLs, each under the ``taskforces`` namespace."""

from django.urls import path

from taskforces.views import (
    actions,
    calendar,
    displacement,
    meetings,
    plans,
    practices,
    taskforces,
)

app_name = "taskforces"
urlpatterns = [
    # Taskforces
    path("", taskforces.taskforce_list, name="list"),
    path("mine/", taskforces.my_actions, name="my_actions"),
    path("<int:pk>/", taskforces.taskforce_detail, name="detail"),
    path("<int:pk>/members/", taskforces.taskforce_members, name="members"),
    path("<int:pk>/calendar.ics", calendar.taskforce_calendar, name="calendar"),
    path("members/<int:pk>/role/", taskforces.membership_role, name="membership_role"),
    path("members/<int:pk>/remove/", taskforces.membership_remove, name="membership_remove"),
    path("<int:pk>/access/grant/", taskforces.access_grant, name="access_grant"),
    path("grants/<int:pk>/revoke/", taskforces.access_revoke, name="access_revoke"),
    # Meetings
    path("<int:pk>/meetings/", meetings.meeting_list, name="meetings"),
    path("<int:pk>/meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/points/", meetings.meeting_point_add, name="meeting_point_add"),
    path(
        "meetings/<int:pk>/decisions/", meetings.meeting_decision_add, name="meeting_decision_add"
    ),
    path("points/<int:pk>/toggle/", meetings.meeting_point_toggle, name="meeting_point_toggle"),
    path("points/<int:pk>/carry/", meetings.meeting_point_carry, name="meeting_point_carry"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/excuse/", meetings.meeting_excuse, name="meeting_excuse"),
    path(
        "meetings/<int:pk>/minutes/final/", meetings.minutes_finalise, name="meeting_minutes_final"
    ),
    path(
        "meetings/<int:pk>/minutes/correct/",
        meetings.minutes_correct,
        name="meeting_minutes_correct",
    ),
    path(
        "<int:pk>/pending-actions/", meetings.pending_actions_create, name="pending_actions_create"
    ),
    # Plans
    path("<int:pk>/plan/", plans.plan_detail, name="plan"),
    path("<int:pk>/plan/submit/", plans.plan_submit, name="plan_submit"),
    path("<int:pk>/plan/changes/", plans.plan_changes, name="plan_changes"),
    path("<int:pk>/plan.csv", plans.plan_export, name="plan_export"),
    path("plan-versions/<int:pk>/", plans.version_detail, name="plan_version"),
    path("plan-versions/<int:pk>/review/", plans.version_review, name="plan_review"),
    path("<int:pk>/plan/annex/submit/", plans.annex_submit, name="annex_submit"),
    path("annex-versions/<int:pk>/", plans.annex_version_detail, name="annex_version"),
    path("annex-versions/<int:pk>/review/", plans.annex_review, name="annex_review"),
    # Actions
    path("<int:pk>/actions/new/", actions.action_new, name="action_new"),
    path("actions/<int:pk>/", actions.action_detail, name="action"),
    path("actions/<int:pk>/edit/", actions.action_edit, name="action_edit"),
    path("actions/<int:pk>/status/", actions.action_status, name="action_status"),
    path("actions/<int:pk>/updates/", actions.action_comment, name="action_comment"),
    path("actions/<int:pk>/escalate/", actions.action_escalate, name="action_escalate"),
    path("escalations/", actions.escalations, name="escalations"),
    path("escalations/<int:pk>/resolve/", actions.escalation_resolve, name="escalation_resolve"),
    # What worked where: evaluations of ended actions and the shared library
    path("practices/", practices.practice_list, name="practices"),
    path("actions/<int:pk>/evaluation/", practices.evaluation_detail, name="evaluation"),
    path("actions/<int:pk>/evaluation/edit/", practices.evaluation_edit, name="evaluation_edit"),
    path(
        "actions/<int:pk>/evaluation/submit/",
        practices.evaluation_submit,
        name="evaluation_submit",
    ),
    path(
        "actions/<int:pk>/evaluation/review/",
        practices.evaluation_review,
        name="evaluation_review",
    ),
    # Displacement
    path("displacements/", displacement.displacement_list, name="displacements"),
    path("displacements/new/", displacement.displacement_new, name="displacement_new"),
    path("displacements/<int:pk>/", displacement.displacement_detail, name="displacement_detail"),
    path(
        "displacements/<int:pk>/follow-up/",
        displacement.displacement_follow_up,
        name="displacement_follow_up",
    ),
    path(
        "displacements/<int:pk>/close/", displacement.displacement_close, name="displacement_close"
    ),
]
