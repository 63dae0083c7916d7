from django.urls import path

from . import views

app_name = "newsletters"

urlpatterns = [
    path("follow/<slug:kind>/<slug:slug>/", views.follow, name="follow"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
