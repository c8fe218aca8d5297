from django.contrib import admin
from django.urls import include, path

from yingji.engine import views as engine_views
from yingji.front import views as front_views
from yingji.intake import endpoints as intake_endpoints
from yingji.monitoring import intake as monitoring_intake

urlpatterns = [
    path("", front_views.home, name="home"),
    path("healthz", front_views.healthz, name="healthz"),
    path("metrics", engine_views.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("yingji.accounts.urls")),
    path("org/", include("yingji.org.urls")),
    path("audit/", include("yingji.audit.urls")),
    path("notify/", include("yingji.notify.urls")),
    path("incidents/", include("yingji.incidents.urls")),
    path("plans/", include("yingji.plans.urls")),
    path("risks/", include("yingji.risks.urls")),
    path("reserves/", include("yingji.reserves.urls")),
    path("recovery/", include("yingji.recovery.urls")),
    path("improvements/", include("yingji.recovery.register_urls")),
    path("monitoring/", include("yingji.monitoring.urls")),
    path("intake/", include("yingji.intake.urls")),
    path("oncall/", include("yingji.oncall.urls")),
    path("api/v1/metrics", monitoring_intake.metrics_push, name="metrics_push"),
    path("api/v1/intake/alertmanager", intake_endpoints.alertmanager, name="intake_alertmanager"),
    path("api/v1/intake/grafana", intake_endpoints.grafana, name="intake_grafana"),
    path("api/v1/intake/zabbix", intake_endpoints.zabbix, name="intake_zabbix"),
    path("api/v1/intake/generic", intake_endpoints.generic, name="intake_generic"),
    path("api/v1/intake/heartbeat/<str:key>", intake_endpoints.heartbeat, name="intake_heartbeat"),
    # PagerDuty's own path, so tools that let you change only the host send here unchanged
    path("v2/enqueue", intake_endpoints.pagerduty_enqueue, name="intake_pagerduty"),
    path("api/v1/", include("yingji.api_urls")),
    path("django-admin/", admin.site.urls),
]

handler404 = "yingji.core.errorpages.not_found"
handler500 = "yingji.core.errorpages.server_error"
