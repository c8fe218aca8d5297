from django.urls import path

from yingji.oncall import views

app_name = "oncall"
urlpatterns = [
    path("", views.roster_list, name="rosters"),
    path("<int:pk>/", views.roster_detail, name="roster"),
    path("<int:pk>/calendar.ics", views.roster_calendar, name="roster_ics"),
    path("<int:pk>/layers/<int:layer_pk>/remove/", views.layer_remove, name="layer_remove"),
    path(
        "<int:pk>/overrides/<int:override_pk>/remove/",
        views.override_remove,
        name="override_remove",
    ),
    path("policies/", views.policy_list, name="policies"),
    path("me/", views.my_contact_rules, name="me"),
    path("calendars/new/", views.calendar_create, name="calendar_create"),
    path("calendars/<int:pk>/", views.calendar_import, name="calendar"),
]
