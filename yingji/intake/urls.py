from django.urls import path

from yingji.intake import views

app_name = "intake"
urlpatterns = [
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("alerts/<int:pk>/snooze/", views.alert_snooze, name="alert_snooze"),
    path("alerts/<int:pk>/noise/", views.alert_noise, name="alert_noise"),
    path("integrations/", views.integration_list, name="integrations"),
    path("routes/", views.route_list, name="routes"),
    path("silences/", views.silence_list, name="silences"),
    path("silences/<int:pk>/expire/", views.silence_expire, name="silence_expire"),
    path("integrations/<int:pk>/", views.integration_edit, name="integration"),
    path("inhibit-rules/", views.inhibit_rule_list, name="inhibit_rules"),
    path("inhibit-rules/<int:pk>/delete/", views.inhibit_rule_delete, name="inhibit_rule_delete"),
    path("integrations/<int:pk>/key/", views.integration_new_key, name="integration_key"),
]
