from django.urls import path

from yingji.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("r/<str:token>/", views.receipt, name="receipt"),
    path("messages/", views.message_list, name="message_list"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/<int:pk>/remind/", views.message_remind, name="message_remind"),
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/new/", views.channel_edit, name="channel_new"),
    path("channels/<int:pk>/edit/", views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("broadcast/", views.broadcast, name="broadcast"),
]
