from django.urls import path

from yingji.recovery import registers

app_name = "improvements"
urlpatterns = [
    path("", registers.register, name="register"),
    path("new/", registers.measure_new, name="new"),
    path("plan/", registers.ci_plan, name="plan"),
    path("<int:pk>/", registers.measure_detail, name="measure"),
    path("<int:pk>/<slug:step>/", registers.measure_step, name="step"),
    path("evidence/<int:pk>/", registers.evidence_file, name="evidence"),
]
