from django.urls import path

from yingji.recovery import views

app_name = "recovery"
urlpatterns = [
    path("", views.after_list, name="list"),
    path("settings/", views.settings_page, name="settings"),
    path("incidents/<int:pk>/", views.incident_after, name="incident"),
    path("incidents/<int:pk>/plans/", views.plan_add, name="plan_add"),
    path("incidents/<int:pk>/rebuild/", views.rebuild_create, name="rebuild_create"),
    path("incidents/<int:pk>/close/", views.close, name="close"),
    path("rebuild/<int:pk>/finish/", views.rebuild_finish, name="rebuild_finish"),
    path("reviews/<int:pk>/schedule/", views.review_schedule, name="review_schedule"),
    path("reviews/<int:pk>/record/", views.review_record, name="review_record"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("plans/<int:pk>/withdraw/", views.plan_withdraw, name="plan_withdraw"),
    path("steps/<int:pk>/", views.step_update, name="step_update"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary"),
    path("summaries/<int:pk>/summary.docx", views.summary_download, name="summary_docx"),
    path("summaries/<int:pk>/print/", views.summary_print, name="summary_print"),
    path("summaries/<int:pk>/<slug:step>/", views.summary_step, name="summary_step"),
]
