from django.urls import path

from yingji.intake import views

app_name = "intake"
urlpatterns = [
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("integrations/", views.integration_list, name="integrations"),
    path("integrations/<int:pk>/key/", views.integration_new_key, name="integration_key"),
]
