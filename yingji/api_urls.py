from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from yingji.incidents import api as incidents_api
from yingji.intake import api as intake_api
from yingji.monitoring import api as monitoring_api
from yingji.notify import api as notify_api
from yingji.oncall import api as oncall_api
from yingji.org import api as org_api
from yingji.plans import api as plans_api
from yingji.recovery import api as recovery_api
from yingji.reserves import api as reserves_api
from yingji.risks import api as risks_api

router = DefaultRouter()
router.register("departments", org_api.DepartmentViewSet, basename="department")
router.register("people", org_api.PersonViewSet, basename="person")
router.register("groups", org_api.GroupViewSet, basename="group")
router.register("memberships", org_api.MembershipViewSet, basename="membership")
router.register("vendors", org_api.VendorViewSet, basename="vendor")
router.register("incidents", incidents_api.IncidentViewSet, basename="incident")
router.register("grading-rules", incidents_api.GradingRuleViewSet, basename="grading-rule")
router.register("plans", plans_api.PlanViewSet, basename="plan")
router.register("recovery/plans", recovery_api.RecoveryPlanViewSet, basename="recovery-plan")
router.register("recovery/rebuild", recovery_api.RebuildViewSet, basename="recovery-rebuild")
router.register("recovery/summaries", recovery_api.SummaryViewSet, basename="recovery-summary")
router.register("recovery/reviews", recovery_api.ReviewViewSet, basename="recovery-review")
router.register(
    "improvements/plans", recovery_api.ImprovementPlanViewSet, basename="improvement-plan"
)
router.register("improvements", recovery_api.MeasureViewSet, basename="improvement")
router.register("reserves/classes", reserves_api.ClassViewSet, basename="reserve-class")
router.register("reserves/stores", reserves_api.StoreViewSet, basename="reserve-store")
router.register("reserves/locations", reserves_api.LocationViewSet, basename="reserve-location")
router.register("reserves/items", reserves_api.ItemViewSet, basename="reserve-item")
router.register("reserves/files", reserves_api.ReserveFilesViewSet, basename="reserve-files")
router.register("reserves/dispatches", reserves_api.DispatchViewSet, basename="reserve-dispatch")
router.register(
    "reserves/inspections", reserves_api.InspectionViewSet, basename="reserve-inspection"
)
router.register("risks/matrices", risks_api.MatrixViewSet, basename="risk-matrix")
router.register("risks/campaigns", risks_api.CampaignViewSet, basename="risk-campaign")
router.register("risks/assessments", risks_api.AssessmentViewSet, basename="risk-assessment")
router.register("risks/items", risks_api.RiskViewSet, basename="risk")
router.register("risks/acceptances", risks_api.AcceptanceViewSet, basename="risk-acceptance")
router.register("risks/projects", risks_api.ProjectViewSet, basename="risk-project")
router.register("monitoring/assets", monitoring_api.AssetViewSet, basename="monitoring-asset")
router.register("monitoring/checks", monitoring_api.CheckViewSet, basename="monitoring-check")
router.register("monitoring/rules", monitoring_api.RuleViewSet, basename="monitoring-rule")
router.register("monitoring/alerts", monitoring_api.AlertViewSet, basename="monitoring-alert")
router.register("intake/integrations", intake_api.IntegrationViewSet, basename="integration")
router.register("intake/alerts", intake_api.IncomingAlertViewSet, basename="incoming-alert")
router.register("intake/routes", intake_api.RouteViewSet, basename="intake-route")
router.register("intake/inhibit-rules", intake_api.InhibitRuleViewSet, basename="inhibit-rule")
router.register("intake/silences", intake_api.SilenceViewSet, basename="intake-silence")
router.register("oncall/rosters", oncall_api.RosterViewSet, basename="roster")
router.register("oncall/policies", oncall_api.PolicyViewSet, basename="escalation-policy")
router.register("oncall/contact-rules", oncall_api.ContactRuleViewSet, basename="contact-rule")
router.register("oncall/calendars", oncall_api.CalendarViewSet, basename="holiday-calendar")
router.register("notify/channels", notify_api.ChannelViewSet, basename="notify-channel")
router.register("notify/messages", notify_api.MessageViewSet, basename="notify-message")
router.register("notify/inbox", notify_api.InboxViewSet, basename="notify-inbox")
router.register("notice-templates", incidents_api.NoticeTemplateViewSet, basename="notice-template")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "reserves/plan-versions/<int:pk>/requirements/",
        reserves_api.RequirementsView.as_view(),
        name="reserve-requirements",
    ),
    path("reserves/readiness/", reserves_api.ReadinessView.as_view(), name="reserve-readiness"),
    path("risks/settings/", risks_api.SettingsView.as_view(), name="risk-settings"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
