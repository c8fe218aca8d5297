from django.urls import path

from yingji.reserves import dispatch, requirements, views

app_name = "reserves"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("stores/<int:pk>/", views.store_detail, name="store"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/inspect/", views.item_inspect, name="inspect"),
    path("items/<int:pk>/repaired/", views.item_repaired, name="repaired"),
    path("incidents/<int:pk>/request/", dispatch.request_spare, name="dispatch_request"),
    path("dispatches/<int:pk>/issue/", dispatch.issue, name="dispatch_issue"),
    path("dispatches/<int:pk>/back/", dispatch.back, name="dispatch_back"),
    path("dispatches/<int:pk>/cancel/", dispatch.cancel, name="dispatch_cancel"),
    path(
        "plan-versions/<int:pk>/requirements/", requirements.requirements_save, name="requirements"
    ),
]
