from django.urls import path

from yingji.reserves import views

app_name = "reserves"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("stores/<int:pk>/", views.store_detail, name="store"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/inspect/", views.item_inspect, name="inspect"),
    path("items/<int:pk>/repaired/", views.item_repaired, name="repaired"),
]
