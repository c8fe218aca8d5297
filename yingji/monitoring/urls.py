from django.urls import path

from yingji.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.asset_list, name="assets"),
    path("assets/new/", views.asset_create, name="asset_create"),
    path("assets/import/", views.asset_import, name="asset_import"),
    path("assets.xlsx", views.asset_export, name="asset_export"),
    path("assets/<int:pk>/", views.asset_detail, name="asset"),
    path("assets/<int:pk>/checks/new/", views.check_create, name="check_create"),
    path("assets/<int:pk>/checks/<int:check_pk>/", views.check_edit, name="check_edit"),
    path("assets/<int:pk>/checks/<int:check_pk>/switch/", views.check_toggle, name="check_toggle"),
    path("assets/<int:pk>/switch/", views.asset_toggle, name="asset_toggle"),
    path("assets/<int:pk>/silences/", views.silence_add, name="silence_add"),
    path("rules/<int:pk>/switch/", views.rule_toggle, name="rule_toggle"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/", views.rule_list, name="rules"),
    path("assets/<int:pk>/agent-token/", views.asset_token, name="asset_token"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/noise/", views.alert_noise, name="alert_noise"),
]
