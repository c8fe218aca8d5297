from django.urls import path

from yingji.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("report/", views.report, name="report"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
    path("<int:pk>/close-as-fault/", views.close_as_fault, name="close_as_fault"),
]
