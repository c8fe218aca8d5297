from django.urls import path

from yingji.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/versions/new/", views.version_new, name="version_new"),
    path("<int:pk>/versions/<int:number>/<str:action>/", views.version_step, name="version_step"),
]
