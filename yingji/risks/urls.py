from django.urls import path

from yingji.risks import views

app_name = "risks"
urlpatterns = [
    path("", views.register, name="register"),
    path("register.xlsx", views.register_export, name="register_export"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/risks/new/", views.risk_add, name="risk_add"),
    path("assessments/<int:pk>/report.docx", views.report, name="report"),
    path("assessments/<int:pk>/risks.xlsx", views.assessment_export, name="export"),
    path("assessments/<int:pk>/import/", views.assessment_import, name="import"),
    path("assessments/<int:pk>/<str:action>/", views.assessment_step, name="step"),
    path("items/<int:pk>/", views.risk_detail, name="risk"),
    path("items/<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("items/<int:pk>/close/", views.risk_close, name="risk_close"),
    path("items/<int:pk>/reopen/", views.risk_reopen, name="risk_reopen"),
    path("items/<int:pk>/remove/", views.risk_remove, name="risk_remove"),
    path("items/<int:pk>/accept/", views.risk_accept, name="risk_accept"),
    path("acceptances/<int:pk>/revoke/", views.acceptance_revoke, name="acceptance_revoke"),
    path("heatmap/", views.heatmap, name="heatmap"),
    path("compare/", views.compare, name="compare"),
    path("departments/<int:pk>/", views.history, name="history"),
    path("report/<int:year>-<int:quarter>.docx", views.company_report, name="company_report"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("settings/", views.risk_settings, name="settings"),
    path("matrices/<int:pk>/", views.matrix_detail, name="matrix"),
    path("projects/", views.projects, name="projects"),
    path("projects/<int:pk>/status/", views.project_status, name="project_status"),
]
