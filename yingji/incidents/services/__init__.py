"""The response flow's writers (R-RESP-1..R-END-2). Each step is one transaction: the change,
its timeline entry, the audit event and the notices (the outbox) commit together or not at
all. Split by stage; import them from here."""

from yingji.incidents.services.attachments import attachment_add
from yingji.incidents.services.common import incident_transition
from yingji.incidents.services.decide import (
    incident_decide,
    incident_end,
    incident_recommend_end,
    incident_resume,
    notice_template,
    notice_template_save,
    recommendation,
)
from yingji.incidents.services.grading import (
    grade_for,
    grading_rule_delete,
    grading_rule_save,
    incident_regrade,
    incident_set_facts,
)
from yingji.incidents.services.handling import (
    handling_plan_revise,
    incident_chase_progress,
    participant_add,
    progress_report,
    settle_tasks,
    support_request,
    task_chase_overdue,
    task_create,
    task_update,
)
from yingji.incidents.services.triage import (
    incident_close_as_fault,
    incident_escalate,
    incident_escalate_overdue,
    incident_report,
)

__all__ = [
    "attachment_add",
    "grade_for",
    "grading_rule_delete",
    "grading_rule_save",
    "handling_plan_revise",
    "incident_chase_progress",
    "incident_close_as_fault",
    "incident_decide",
    "incident_end",
    "incident_escalate",
    "incident_escalate_overdue",
    "incident_recommend_end",
    "incident_regrade",
    "incident_report",
    "incident_resume",
    "incident_set_facts",
    "incident_transition",
    "notice_template",
    "notice_template_save",
    "participant_add",
    "progress_report",
    "recommendation",
    "support_request",
    "settle_tasks",
    "task_chase_overdue",
    "task_create",
    "task_update",
]
