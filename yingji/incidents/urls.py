from django.urls import path

from yingji.incidents import settings_views, steps, views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("incidents.xlsx", views.incident_list_export, name="export"),
    path("report/", views.report, name="report"),
    path("tasks/", views.my_task_list, name="my_tasks"),
    path("grading/", settings_views.grading, name="grading"),
    path("grading/<int:rule_pk>/delete/", settings_views.grading_delete, name="grading_delete"),
    path("notices/<str:kind>/", settings_views.notice_template_edit, name="notice_template"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/report.docx", views.incident_report_docx, name="report_docx"),
    path("<int:pk>/live/", views.incident_live, name="live"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
    path("<int:pk>/close-as-fault/", views.close_as_fault, name="close_as_fault"),
    path("<int:pk>/decide/", steps.decide, name="decide"),
    path("<int:pk>/facts/", steps.set_facts, name="facts"),
    path("<int:pk>/grade/", steps.regrade, name="regrade"),
    path("<int:pk>/handling-plan/", steps.handling_plan, name="handling_plan"),
    path("<int:pk>/tasks/", steps.task_create, name="task_create"),
    path("<int:pk>/tasks/<int:task_pk>/", steps.task_update, name="task_update"),
    path("<int:pk>/progress/", steps.progress, name="progress"),
    path("<int:pk>/support/", steps.support, name="support"),
    path("<int:pk>/participants/", steps.participant_add, name="participant_add"),
    path("<int:pk>/recommend-end/", steps.recommend_end, name="recommend_end"),
    path("<int:pk>/end/", steps.end, name="end"),
    path("<int:pk>/resume/", steps.resume, name="resume"),
    path("<int:pk>/attachments/", steps.attach, name="attach"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
]
