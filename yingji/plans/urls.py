from django.urls import path

from yingji.plans import views

app_name = "plans"
VERSION = "<int:pk>/versions/<int:number>/"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/diff/", views.plan_diff, name="diff"),
    path("<int:pk>/review/<str:outcome>/", views.plan_review, name="review"),
    path(VERSION, views.plan_detail, name="version"),
    path(VERSION + "edit/", views.version_edit, name="version_edit"),
    path(VERSION + "steps/", views.version_steps, name="version_steps"),
    path(VERSION + "steps.xlsx", views.steps_template, name="steps_xlsx"),
    path(VERSION + "plan.docx", views.version_docx, name="docx"),
    path(VERSION + "comment/", views.version_comment, name="comment"),
    path(VERSION + "attachments/", views.attachment_add, name="attachment_add"),
    path(VERSION + "attachments/<int:attachment_pk>/", views.attachment_file, name="attachment"),
    path(
        VERSION + "attachments/<int:attachment_pk>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path(VERSION + "<str:action>/", views.version_step, name="version_step"),
]
